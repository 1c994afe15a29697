package io.kafkasnap.engine;

/**
 * Reads what an incoming channel still holds, for a node without state: it must not start from a guess when
 * retention has removed records it would have had to apply (DESIGN.md, "Restore").
 */
@FunctionalInterface
public interface ChannelHeads {

    /**
     * Whether {@code channel}, from offset {@code from} to its current end, still holds the start of its sender's
     * {@code epoch}; see {@link Judge}.
     */
    boolean holdsStartOf(String channel, long from, long epoch);

    /**
     * Judges a channel from the {@code (epoch, seq)} of its records, offered in offset order. The start of the epoch is
     * there when the channel holds its seq 0 (its sender's first record, or the fence of a restore), when it holds
     * nothing of the epoch yet (the sender has not entered it), or when a later epoch follows (the node moves on to
     * it with that restore). It is gone when the first record of the epoch has a higher seq and seq 0 never follows:
     * seq 0 may come after a higher one only when it failed and was sent again, which the rest of the log shows.
     */
    final class Judge {
        private final long epoch;
        private boolean sawLater;
        private Boolean verdict;

        public Judge(long epoch) {
            this.epoch = epoch;
        }

        /**
         * The next record's {@code kafkasnap-epoch} and {@code kafkasnap-seq} (records without them are not offered).
         *
         * @return whether the verdict is known now, so that the rest of the channel need not be read
         */
        public boolean offer(long recordEpoch, long seq) {
            if (verdict != null || recordEpoch < epoch) {
                return verdict != null;
            }
            if (recordEpoch > epoch || seq == 0) {
                verdict = true;
            } else {
                sawLater = true;
            }
            return verdict != null;
        }

        /** The verdict once every record up to the channel's end was offered (or an earlier one was decisive). */
        public boolean holdsStart() {
            return verdict != null ? verdict : !sawLater;
        }
    }
}
