package io.kafkasnap.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One snapshot in flight at one process, after the process recorded its state. Immutable: each event
 * returns the next value, so the protocol's transitions read as assignments.
 *
 * <p>An incoming channel is open from the moment of recording until its marker arrives; the app records it
 * delivers in that window are the channel's state. The snapshot is done here when every incoming channel
 * has closed, every outgoing marker has been acknowledged with its offset, and the local state is read out.
 */
final class Recording {

    private final long snapshot;
    private final Map<String, Long> recordedFrom;
    private final Map<String, Long> markerArrivedAt;
    private final Set<String> outgoing;
    private final Map<String, Long> markerSentAt;
    private final boolean stateRecorded;

    private Recording(long snapshot, Map<String, Long> recordedFrom, Map<String, Long> markerArrivedAt,
                      Set<String> outgoing, Map<String, Long> markerSentAt, boolean stateRecorded) {
        this.snapshot = snapshot;
        this.recordedFrom = recordedFrom;
        this.markerArrivedAt = markerArrivedAt;
        this.outgoing = outgoing;
        this.markerSentAt = markerSentAt;
        this.stateRecorded = stateRecorded;
    }

    /** Recording begins: every incoming channel is open from the next offset this process has not processed. */
    static Recording start(long snapshot, Map<String, Long> positions, Set<String> outgoing) {
        return new Recording(snapshot, Map.copyOf(positions), Map.of(), Set.copyOf(outgoing), Map.of(), false);
    }

    /**
     * Recording begins after an alignment: the channels whose marker came before it are closed, with no channel state
     * (recorded from their marker's offset); every other one is open from the next offset not processed.
     */
    static Recording afterAlignment(long snapshot, Map<String, Long> positions, Set<String> outgoing,
                                    Map<String, Long> markerArrivedAt) {
        Map<String, Long> from = new HashMap<>(positions);
        from.putAll(markerArrivedAt);
        return new Recording(snapshot, Map.copyOf(from), Map.copyOf(markerArrivedAt), Set.copyOf(outgoing), Map.of(),
                false);
    }

    /**
     * Keeps only the incoming channels in {@code awaited}: once the membership of the snapshot is known, a channel
     * whose sender is not a member will never carry its marker, so it is neither waited for nor part of the fragment.
     */
    Recording narrowTo(Set<String> awaited) {
        Map<String, Long> from = new HashMap<>(recordedFrom);
        from.keySet().retainAll(awaited);
        Map<String, Long> arrived = new HashMap<>(markerArrivedAt);
        arrived.keySet().retainAll(awaited);
        return new Recording(snapshot, Map.copyOf(from), Map.copyOf(arrived), outgoing, markerSentAt, stateRecorded);
    }

    /** Incoming channels still waited for: their marker has not arrived. */
    Set<String> missingMarkers() {
        Set<String> missing = new java.util.TreeSet<>(recordedFrom.keySet());
        missing.removeAll(markerArrivedAt.keySet());
        return missing;
    }

    /** Outgoing channels whose marker has not been acknowledged yet. */
    Set<String> unacknowledgedMarkers() {
        Set<String> missing = new java.util.TreeSet<>(outgoing);
        missing.removeAll(markerSentAt.keySet());
        return missing;
    }

    long snapshot() {
        return snapshot;
    }

    boolean isOpen(String channel) {
        return recordedFrom.containsKey(channel) && !markerArrivedAt.containsKey(channel);
    }

    /** Whether {@code channel}'s marker is part of this snapshot here (its sender is, or may be, a member). */
    boolean isAwaiting(String channel) {
        return recordedFrom.containsKey(channel);
    }

    boolean hasMarkerFrom(String channel) {
        return markerArrivedAt.containsKey(channel);
    }

    Recording markerArrived(String channel, long offset) {
        return new Recording(snapshot, recordedFrom, with(markerArrivedAt, channel, offset), outgoing,
                markerSentAt, stateRecorded);
    }

    boolean awaitsMarkerAck(String channel) {
        return outgoing.contains(channel) && !markerSentAt.containsKey(channel);
    }

    Recording markerSent(String channel, long offset) {
        return new Recording(snapshot, recordedFrom, markerArrivedAt, outgoing, with(markerSentAt, channel, offset),
                stateRecorded);
    }

    boolean awaitsState() {
        return !stateRecorded;
    }

    Recording stateRecorded() {
        return new Recording(snapshot, recordedFrom, markerArrivedAt, outgoing, markerSentAt, true);
    }

    boolean isComplete() {
        return stateRecorded
                && markerArrivedAt.size() == recordedFrom.size()
                && markerSentAt.size() == outgoing.size();
    }

    LocalSnapshot toLocalSnapshot() {
        if (!isComplete()) {
            throw new IllegalStateException("snapshot " + snapshot + " is not complete at this process");
        }
        Map<String, LocalSnapshot.ChannelCut> in = new HashMap<>();
        recordedFrom.forEach((channel, from) ->
                in.put(channel, new LocalSnapshot.ChannelCut(from, markerArrivedAt.get(channel))));
        return new LocalSnapshot(snapshot, in, markerSentAt);
    }

    @Override
    public String toString() {
        return "Recording{snapshot=" + snapshot + ", recordedFrom=" + recordedFrom + ", markerArrivedAt="
                + markerArrivedAt + ", markerSentAt=" + markerSentAt + ", stateRecorded=" + stateRecorded + '}';
    }

    private static Map<String, Long> with(Map<String, Long> map, String key, long value) {
        Map<String, Long> copy = new HashMap<>(map);
        copy.put(key, value);
        return Map.copyOf(copy);
    }
}
