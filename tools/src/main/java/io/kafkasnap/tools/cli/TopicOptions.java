package io.kafkasnap.tools.cli;

import io.kafkasnap.node.SnapshotNodeConfig;
import picocli.CommandLine.Option;

/** The control and collection topics, shared by every subcommand that talks to the snapshot system. */
public final class TopicOptions {

    @Option(names = "--control-topic", paramLabel = "TOPIC", defaultValue = SnapshotNodeConfig.DEFAULT_CONTROL_TOPIC,
            description = "The control topic: joins, leaves, triggers (default: ${DEFAULT-VALUE}).")
    String controlTopic;

    @Option(names = "--collection-topic", paramLabel = "TOPIC",
            defaultValue = SnapshotNodeConfig.DEFAULT_COLLECTION_TOPIC,
            description = "The collection topic that fragments are published to (default: ${DEFAULT-VALUE}).")
    String collectionTopic;

    public String controlTopic() {
        return controlTopic;
    }

    public String collectionTopic() {
        return collectionTopic;
    }
}
