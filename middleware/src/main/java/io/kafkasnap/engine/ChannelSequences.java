package io.kafkasnap.engine;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Sequencing.Verdict;
import io.kafkasnap.format.Sequencing;
import io.kafkasnap.store.NodeStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

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

    /** The verdict on a record with this (epoch, seq); a record without sequence headers ({@code null}) applies. */
    Verdict check(String channel, ChannelHeaders.Sequence sequence) {
        return sequence == null ? Verdict.APPLY : verdict(applied.get(channel), sequence.epoch(), sequence.seq());
    }

    private static Verdict verdict(long[] last, long epoch, long seq) {
        return last == null ? Sequencing.verdict(-1, -1, epoch, seq) : Sequencing.verdict(last[0], last[1], epoch, seq);
    }

    /** The last applied {epoch, seq} of {@code channel}, or null if none. */
    long[] last(String channel) {
        long[] last = applied.get(channel);
        return last == null ? null : last.clone();
    }

    /** The last applied {epoch, seq} of every channel that has one, as of now: kept with a snapshot's capture. */
    Map<String, long[]> copy() {
        Map<String, long[]> copy = new HashMap<>();
        applied.forEach((channel, last) -> copy.put(channel, last.clone()));
        return copy;
    }

    /** A record with this (epoch, seq) was applied (handled, or taken by the protocol as a marker). */
    void applied(String channel, ChannelHeaders.Sequence sequence) {
        if (sequence == null) {
            return;
        }
        long[] last = applied.computeIfAbsent(channel, c -> new long[2]);
        last[0] = sequence.epoch();
        last[1] = sequence.seq();
        dirty.add(channel);
    }

    /** Starts {@code channel} over in {@code epoch}: only its fence (seq 0) and what follows are applied. */
    void enterEpoch(String channel, long epoch) {
        applied.put(channel, new long[] {epoch, -1});
        dirty.add(channel);
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
