package io.kafkasnap.collect;

import java.util.List;

/** Read access to channel topics, so the consistency check can compare recorded messages with what was sent. */
public interface ChannelLog {

    /**
     * The records of single-partition {@code topic} at offsets {@code [fromInclusive, toExclusive)}, markers included,
     * in offset order. Offsets may have gaps (transaction markers, compaction).
     *
     * @throws ChannelLogException if the range cannot be read, e.g. it is no longer or not yet in the log
     */
    List<ChannelRecord> read(String topic, long fromInclusive, long toExclusive);

    /** A channel range that could not be read; the check then says it was not fully done rather than guessing. */
    final class ChannelLogException extends RuntimeException {
        public ChannelLogException(String message) {
            super(message);
        }

        public ChannelLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
