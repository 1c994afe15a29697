package io.kafkasnap.protocol;

import java.util.Optional;

/**
 * Why a member gave a snapshot up. The wire name goes into the control topic's {@code abort} record, so every member
 * drops the snapshot and the assembler reports it {@code failed} with this reason.
 */
public enum AbortReason {
    RESTARTED_DURING_SNAPSHOT("restarted-during-snapshot",
            "the member restarted after capturing its state and before publishing its fragment; the capture is lost"),
    TIMED_OUT("timed-out", "the snapshot did not finish at the member within kafkasnap.snapshot.timeout.ms"),
    TOO_MANY_CONCURRENT("too-many-concurrent",
            "the member already had kafkasnap.snapshot.max.concurrent snapshots in flight"),
    FRAGMENT_NOT_PUBLISHED("fragment-not-published", "the member could not publish its fragment"),
    RESTORED("restored", "a restore rolled the system back while the snapshot was in flight"),
    NODE_STOPPED("node-stopped", "the member stopped before publishing its fragment");

    private final String wire;
    private final String message;

    AbortReason(String wire, String message) {
        this.wire = wire;
        this.message = message;
    }

    /** The name in the {@code abort} control record. */
    public String wire() {
        return wire;
    }

    public String message() {
        return message;
    }

    public static Optional<AbortReason> fromWire(String wire) {
        for (AbortReason reason : values()) {
            if (reason.wire.equals(wire)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
