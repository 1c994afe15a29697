package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The options of the one {@code kafkasnap} command line: the samples' commands and the tools' side by side. */
class KafkasnapCliOptionsTest {

    @Test
    void everyCommandThatTalksToKafkaTakesCommandConfigAndKafkaProperty() {
        CommandLine cli = KafkasnapCli.commandLine();
        List<CommandLine> talking = new ArrayList<>();
        for (String name : List.of("demo", "pipeline", "bank", "trigger", "restore", "chaos", "dashboard", "bench")) {
            talking.add(cli.getSubcommands().get(name));
        }
        talking.addAll(cli.getSubcommands().get("snapshots").getSubcommands().values().stream()
                .filter(c -> !c.getCommandName().equals("help")).toList());
        assertThat(talking).hasSize(13);
        for (CommandLine command : talking) {
            assertThat(command.getCommandSpec().findOption("--command-config")).as(command.getCommandName()).isNotNull();
            assertThat(command.getCommandSpec().findOption("--kafka-property")).as(command.getCommandName()).isNotNull();
        }
    }

    @Test
    void kafkaWithSeveralBrokersRefusesAFixedPort() {
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("kafka", "--brokers", "3", "--port", "9092");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--port is for one broker");
    }
}
