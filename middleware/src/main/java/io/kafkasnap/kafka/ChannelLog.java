package io.kafkasnap.kafka;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read access to channel topics, so the consistency check can compare recorded messages with what was sent. */
public interface ChannelLog {

    /**
     * The records of single-partition {@code topic} at offsets {@code [fromInclusive, toExclusive)}, markers included,
     * in offset order. Offsets may have gaps (transaction markers, compaction).
     *
     * @throws ChannelLogException if the range cannot be read, e.g. it is no longer or not yet in the log
     */
    List<ChannelRecord> read(String topic, long fromInclusive, long toExclusive);

    /**
     * Several ranges at once, e.g. every channel of one snapshot. This default reads them one by one; a Kafka
     * implementation reads them in one pass, which is what keeps checking a snapshot of many channels fast.
     *
     * @throws ChannelLogException if any range cannot be read
     */
    default Map<Range, List<ChannelRecord>> readAll(Collection<Range> ranges) {
        Map<Range, List<ChannelRecord>> result = new LinkedHashMap<>();
        for (Range range : ranges) {
            result.put(range, read(range.topic(), range.fromInclusive(), range.toExclusive()));
        }
        return result;
    }

    /**
     * A log that reads no channel, for readers that rely on a check made elsewhere (a node applying a restore, prune):
     * the check then says it was not done, without a warning.
     */
    static ChannelLog unread(String why) {
        return (topic, fromInclusive, toExclusive) -> {
            throw new NotRead(why);
        };
    }

    /** Thrown by {@link #unread}: the channels are not read by design, which is not a failure to report. */
    final class NotRead extends RuntimeException {
        public NotRead(String why) {
            super(why);
        }
    }

    /** Offsets {@code [fromInclusive, toExclusive)} of single-partition {@code topic}. */
    record Range(String topic, long fromInclusive, long toExclusive) {
    }

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
