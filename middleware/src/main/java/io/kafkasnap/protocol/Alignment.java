package io.kafkasnap.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One snapshot at one process before the process records its state: it waits for the markers of its incoming
 * channels instead, holding each channel whose marker came (its later records belong after the cut), and records its
 * state once all have come or the runtime says to stop waiting. Immutable, as {@link Recording}.
 *
 * <p>Why waiting is allowed: a process may record its state at any moment before it processes a record that its
 * sender sent after recording, and those are exactly the records behind a marker. A channel whose marker came before
 * the recording has no channel state; so a process that waits for every marker records none at all.
 */
final class Alignment {

    private final long snapshot;
    /** The incoming channels whose marker is waited for; null: every incoming channel (membership not read yet). */
    private final Set<String> awaited;
    private final Map<String, Long> markerArrivedAt;

    private Alignment(long snapshot, Set<String> awaited, Map<String, Long> markerArrivedAt) {
        this.snapshot = snapshot;
        this.awaited = awaited;
        this.markerArrivedAt = markerArrivedAt;
    }

    static Alignment start(long snapshot, Set<String> awaited) {
        return new Alignment(snapshot, awaited == null ? null : Set.copyOf(awaited), Map.of());
    }

    long snapshot() {
        return snapshot;
    }

    /** The awaited channels, or null for every incoming one. */
    Set<String> awaited() {
        return awaited;
    }

    Alignment narrowTo(Set<String> members) {
        Map<String, Long> arrived = new HashMap<>(markerArrivedAt);
        arrived.keySet().retainAll(members);
        return new Alignment(snapshot, Set.copyOf(members), Map.copyOf(arrived));
    }

    boolean isAwaiting(String channel) {
        return awaited == null || awaited.contains(channel);
    }

    boolean hasMarkerFrom(String channel) {
        return markerArrivedAt.containsKey(channel);
    }

    Alignment markerArrived(String channel, long offset) {
        Map<String, Long> arrived = new HashMap<>(markerArrivedAt);
        arrived.put(channel, offset);
        return new Alignment(snapshot, awaited, Map.copyOf(arrived));
    }

    /** The channels held for this snapshot, with the offset of the marker each is held at. */
    Map<String, Long> markerArrivedAt() {
        return markerArrivedAt;
    }

    /** The awaited channels of {@code incoming} whose marker has not come. */
    Set<String> missingMarkers(Set<String> incoming) {
        Set<String> missing = new TreeSet<>(awaited == null ? incoming : awaited);
        missing.retainAll(incoming);
        missing.removeAll(markerArrivedAt.keySet());
        return missing;
    }

    @Override
    public String toString() {
        return "Alignment{snapshot=" + snapshot + ", awaited=" + awaited + ", markerArrivedAt=" + markerArrivedAt + '}';
    }
}
