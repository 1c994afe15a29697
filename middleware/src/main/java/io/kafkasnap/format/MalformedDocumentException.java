package io.kafkasnap.format;

/**
 * A fragment or assembled-snapshot JSON document that does not match its wire format. The message names the
 * document and exactly what is wrong, e.g. {@code fragment: "in"."bank.1.0": missing "markerOffset"}.
 */
public final class MalformedDocumentException extends RuntimeException {

    public MalformedDocumentException(String message) {
        super(message);
    }

    public MalformedDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
