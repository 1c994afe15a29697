package io.kafkasnap.format;

/**
 * Which records of a channel a receiver applies, from their {@code kafkasnap-epoch} and {@code kafkasnap-seq}
 * headers (DESIGN.md, "Dedup"): each (epoch, seq) at most once and in order. Shared by the node, which applies
 * records by it, and the consistency check, which holds the recorded channel state to the same rule.
 */
public final class Sequencing {

    public enum Verdict {
        /** The next record of the channel, or one without sequence headers (a plain Kafka producer's). */
        APPLY,
        /** At or below the last applied sequence of its epoch: a re-send. */
        DUPLICATE,
        /** From an epoch older than the channel's: sent before a restore, never applied after it. */
        OLD_EPOCH,
        /** Beyond the next sequence number: an earlier record is missing, and will come again. */
        GAP
    }

    private Sequencing() {
    }

    /**
     * @param lastEpoch the epoch of the last record applied from the channel, -1 if none yet
     * @param lastSeq   its sequence number; -1 when the channel has entered {@code lastEpoch} and applied nothing
     */
    public static Verdict verdict(long lastEpoch, long lastSeq, long epoch, long seq) {
        if (lastEpoch < 0) {
            // Nothing applied yet: the channel starts at its sender's first record (seq 0 of the sender's epoch:
            // its first send or the fence of a restore). A later one first means seq 0 failed and was sent again
            // after it, behind the acknowledged-prefix rule.
            return seq == 0 ? Verdict.APPLY : Verdict.GAP;
        }
        if (epoch < lastEpoch) {
            return Verdict.OLD_EPOCH;
        }
        if (epoch > lastEpoch) {
            return seq == 0 ? Verdict.APPLY : Verdict.GAP;
        }
        if (seq <= lastSeq) {
            return Verdict.DUPLICATE;
        }
        return seq == lastSeq + 1 ? Verdict.APPLY : Verdict.GAP;
    }
}
