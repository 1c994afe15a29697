package io.kafkasnap.tools.cli;

import io.kafkasnap.kafka.Topics;
import io.kafkasnap.kafka.Triggers;
import io.kafkasnap.tools.common.Kafka;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = "Publishes a snapshot trigger {\"v\":1,\"type\":\"snapshot\"} on the control topic and "
                + "prints the snapshot id (the trigger's offset).")
final class TriggerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--initiator", paramLabel = "ID",
            description = "Only this member starts the snapshot; the others start on its markers "
                    + "(default: every member starts on the trigger).")
    String initiator;

    @Mixin
    BootstrapOptions kafka;

    @Mixin
    TopicOptions topics;

    @Override
    public Integer call() {
        if (initiator != null && !initiator.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--initiator must be a process id (1-200 of A-Z a-z 0-9 . _ -), got '" + initiator + "'");
        }
        Map<String, Object> props = kafka.clientProperties();
        // created as a node creates it: one partition, kept for good (membership is read from offset 0)
        Kafka.createTopics(props, Map.of(topics.controlTopic, Topics.KEEP_FOREVER));
        Properties clientProps = new Properties();
        clientProps.putAll(props);
        long id = Triggers.trigger(clientProps, topics.controlTopic, Optional.ofNullable(initiator));
        spec.commandLine().getOut().println(id);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
