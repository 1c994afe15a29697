package io.kafkasnap.samples.cli;

import io.kafkasnap.samples.common.TriggerPublisher;
import java.util.Map;
import java.util.Optional;
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

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    TopicOptions topics;

    @Mixin
    KafkaClientOptions kafkaClient;

    @Override
    public Integer call() {
        if (initiator != null && !initiator.matches("[A-Za-z0-9._-]{1,200}")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--initiator must be a process id (1-200 of A-Z a-z 0-9 . _ -), got '" + initiator + "'");
        }
        Map<String, Object> props = kafkaClient.clientProperties(bootstrap);
        TriggerPublisher.ensureControlTopic(props, topics.controlTopic);
        try (TriggerPublisher publisher = new TriggerPublisher(props, topics.controlTopic)) {
            long id = publisher.trigger(Optional.ofNullable(initiator));
            spec.commandLine().getOut().println(id);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
