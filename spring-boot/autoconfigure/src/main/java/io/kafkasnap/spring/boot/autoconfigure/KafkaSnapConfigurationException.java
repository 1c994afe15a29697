package io.kafkasnap.spring.boot.autoconfigure;

/** A property that the node cannot run with; the application does not start, and the message names the property. */
public class KafkaSnapConfigurationException extends IllegalStateException {

    private final String property;
    private final Object value;
    private final String reason;

    public KafkaSnapConfigurationException(String property, Object value, String reason) {
        super(property + (value == null ? "" : "=" + value) + " is refused: " + reason);
        this.property = property;
        this.value = value;
        this.reason = reason;
    }

    /** The Spring property at fault, e.g. {@code kafkasnap.properties.acks}. */
    public String getProperty() {
        return property;
    }

    public Object getValue() {
        return value;
    }

    public String getReason() {
        return reason;
    }
}
