package io.kafkasnap.node;

/**
 * A bad value of one builder setting, naming it: a node setting of {@link SnapshotNodeConfig}, a builder field such as
 * {@code processId}, or a Kafka client property the node cannot run with (such as {@code acks=1}). Thrown by the
 * builder method that takes the value, or by {@link SnapshotNode.Builder#build()} for Kafka client properties, which
 * are checked there. A combination of settings that do not fit together (a missing required setting, a chunk size
 * above the producer's request size) is an {@link IllegalStateException} from {@code build()} instead.
 */
public class SnapshotNodeConfigException extends IllegalArgumentException {

    private final String setting;

    public SnapshotNodeConfigException(String setting, String message) {
        this(setting, message, null);
    }

    public SnapshotNodeConfigException(String setting, String message, Throwable cause) {
        super(message, cause);
        this.setting = setting;
    }

    /** The name of the setting at fault, as given to the builder. */
    public String setting() {
        return setting;
    }
}
