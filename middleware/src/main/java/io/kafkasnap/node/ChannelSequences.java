package io.kafkasnap.node;

import io.kafkasnap.kafka.ChannelHeaders;
import io.kafkasnap.store.NodeStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.header.Headers;

/**
 * The last (epoch, seq) applied from each incoming channel, and the verdict on each arriving record: a sender that
 * crashed re-sends what it had not seen acknowledged, so a receiver applies each (epoch, seq) of a channel at most
 * once, and in order. Written to the store with each step, beside the positions.
 */
final class ChannelSequences {

    enum Verdict {
        /** The next record of the channel, or one without sequence headers (a plain Kafka producer's). */
        APPLY,
        /** At or below the last applied sequence of its epoch: a re-send. */
        DUPLICATE,
        /** From an epoch older than the channel's: sent before a restore, never applied after it. */
        OLD_EPOCH,
        /** Beyond the next sequence number: an earlier record is missing, and will come again. */
        GAP
    }

    /** channel to {epoch, seq} of the last applied record. */
    private final Map<String, long[]> applied = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();

    ChannelSequences(Map<String, long[]> stored) {
        stored.forEach((channel, last) -> applied.put(channel, last.clone()));
    }

    /**
     * @throws IllegalArgumentException naming the header if a sequence header is not a number
     */
    Verdict check(String channel, Headers headers) {
        OptionalLong epoch = ChannelHeaders.epoch(headers);
        OptionalLong seq = ChannelHeaders.seq(headers);
        if (epoch.isEmpty() && seq.isEmpty()) {
            return Verdict.APPLY;
        }
        if (epoch.isEmpty() || seq.isEmpty()) {
            throw new IllegalArgumentException("has " + (epoch.isEmpty() ? ChannelHeaders.SEQ : ChannelHeaders.EPOCH)
                    + " without " + (epoch.isEmpty() ? ChannelHeaders.EPOCH : ChannelHeaders.SEQ));
        }
        return verdict(applied.get(channel), epoch.getAsLong(), seq.getAsLong());
    }

    static Verdict verdict(long[] last, long epoch, long seq) {
        if (last == null) {
            // Nothing applied yet: whatever the channel holds first is where this receiver starts.
            return Verdict.APPLY;
        }
        if (epoch < last[0]) {
            return Verdict.OLD_EPOCH;
        }
        if (epoch > last[0]) {
            return seq == 0 ? Verdict.APPLY : Verdict.GAP;
        }
        if (seq <= last[1]) {
            return Verdict.DUPLICATE;
        }
        return seq == last[1] + 1 ? Verdict.APPLY : Verdict.GAP;
    }

    /** The record with these headers was applied (handled, or taken by the protocol as a marker). */
    void applied(String channel, Headers headers) {
        OptionalLong epoch = ChannelHeaders.epoch(headers);
        OptionalLong seq = ChannelHeaders.seq(headers);
        if (epoch.isPresent() && seq.isPresent()) {
            applied.put(channel, new long[] {epoch.getAsLong(), seq.getAsLong()});
            dirty.add(channel);
        }
    }

    /** Starts {@code channel} over in {@code epoch}: only its fence (seq 0) and what follows are applied. */
    void enterEpoch(String channel, long epoch) {
        applied.put(channel, new long[] {epoch, -1});
        dirty.add(channel);
    }

    /** The epoch of the last record applied from {@code channel}, or -1. */
    long epochOf(String channel) {
        long[] last = applied.get(channel);
        return last == null ? -1 : last[0];
    }

    /** Puts what changed since the last call into the step's batch. */
    void writeTo(NodeStore store) {
        for (String channel : dirty) {
            long[] last = applied.get(channel);
            store.putApplied(channel, last[0], last[1]);
        }
        dirty.clear();
    }
}
