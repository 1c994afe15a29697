package io.kafkasnap.protocol;

/** Why the protocol ignored an event. None of these stops a node. */
public enum Rejection {
    UNKNOWN_CHANNEL("a marker or record arrived on a channel that is not one of this process's incoming channels"),
    DUPLICATE_MARKER("a second marker of the same snapshot arrived on one channel; FIFO channels carry one"),
    NOT_A_MEMBER("the snapshot was triggered before this process joined, so it is not a member"),
    NOT_AWAITED("a marker arrived on a channel whose sender is not a member of that snapshot"),
    UNEXPECTED_ACK("a marker acknowledgement or state readout arrived for a snapshot that is not recording");

    private final String message;

    Rejection(String message) {
        this.message = message;
    }

    public String message() {
        return message;
    }
}
