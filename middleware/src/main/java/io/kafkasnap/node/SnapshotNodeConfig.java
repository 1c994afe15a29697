package io.kafkasnap.node;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The node's own settings, each declared once with type, default, validator and doc, as Kafka's clients do.
 * They are given to {@link SnapshotNode.Builder#setting(String, Object)}; Kafka client properties are separate
 * and passed to the clients untouched.
 */
public final class SnapshotNodeConfig extends AbstractConfig {

    public static final String CONTROL_TOPIC = "kafkasnap.control.topic";
    public static final String COLLECTION_TOPIC = "kafkasnap.collection.topic";
    public static final String CREATE_TOPICS = "kafkasnap.topics.create";
    public static final String CHUNK_BYTES = "kafkasnap.fragment.chunk.bytes";
    public static final String MAX_POLL_WAIT_MS = "kafkasnap.poll.max.wait.ms";

    public static final String DEFAULT_CONTROL_TOPIC = "kafkasnap.control";
    public static final String DEFAULT_COLLECTION_TOPIC = "kafkasnap.fragments";

    static final ConfigDef DEFINITION = new ConfigDef()
            .define(CONTROL_TOPIC, Type.STRING, DEFAULT_CONTROL_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "The control topic (one partition): joins, leaves and snapshot triggers.")
            .define(COLLECTION_TOPIC, Type.STRING, DEFAULT_COLLECTION_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "The collection topic (one partition) that fragments are published to.")
            .define(CREATE_TOPICS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create missing channel, control and collection topics with one partition at start. When "
                            + "false, a missing topic is an error at start that names it.")
            .define(CHUNK_BYTES, Type.INT, 512 * 1024, Range.between(1024, 64 * 1024 * 1024), Importance.LOW,
                    "Largest slice of a fragment's JSON in one record. Keep it below the broker's and the "
                            + "topic's message size limit (1 MB by default).")
            .define(MAX_POLL_WAIT_MS, Type.LONG, 100L, Range.between(1, 60_000), Importance.LOW,
                    "Longest time the event loop blocks in poll when idle; timers and acknowledgements wake "
                            + "it sooner.");

    SnapshotNodeConfig(Map<String, ?> settings) {
        super(DEFINITION, settings, false);
    }

    /** Every setting with its doc, for --help texts and the README. */
    public static String toDocumentation() {
        return DEFINITION.toRst();
    }
}
