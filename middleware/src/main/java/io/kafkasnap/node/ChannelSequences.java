package io.kafkasnap.node;

import io.kafkasnap.kafka.ChannelHeaders;
import io.kafkasnap.kafka.Sequencing.Verdict;
import io.kafkasnap.kafka.Sequencing;
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

    private static Verdict verdict(long[] last, long epoch, long seq) {
        return last == null ? Sequencing.verdict(-1, -1, epoch, seq) : Sequencing.verdict(last[0], last[1], epoch, seq);
    }

    /** The last applied {epoch, seq} of every channel that has one, as of now: kept with a snapshot's capture. */
    Map<String, long[]> copy() {
        Map<String, long[]> copy = new HashMap<>();
        applied.forEach((channel, last) -> copy.put(channel, last.clone()));
        return copy;
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
