package io.kafkasnap.format;

/**
 * A control-topic record that is not a valid kafkasnap control record. The message names exactly what is wrong,
 * so a node or collector can log it and skip the record.
 *
 * <p>Checked on purpose: the design requires that a bad control record never stops a node, so every caller of
 * {@link ControlRecord#parse(byte[])} is made to decide what to do with one.
 */
public final class MalformedControlRecordException extends Exception {

    public MalformedControlRecordException(String message) {
        super(message);
    }

    public MalformedControlRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
