package io.kafkasnap.protocol;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Chandy–Lamport at one process, for any number of snapshots at once.
 *
 * <p>The rules, as the paper states them and as this class applies them:
 * <ul>
 *   <li>A process records its state when it initiates (a trigger that names it or names nobody) or when the
 *       first marker of a snapshot reaches it, whichever comes first; it then sends a marker on every outgoing
 *       channel before any further app record.</li>
 *   <li>The state of an incoming channel is the app records that arrive after the process recorded and before
 *       that channel's marker; the channel whose marker started the recording is empty.</li>
 * </ul>
 * Several initiators of one snapshot are allowed: whoever comes second finds the recording under way.
 *
 * <p>One departure, which the runtime opts into per snapshot ({@link Controller#alignFirst}): instead of recording at
 * once, a process may first wait for the markers of its incoming channels, holding each channel whose marker came,
 * and record when all have come (then no channel has state) or when the runtime calls {@link #captureNow}. A process
 * may record at any moment before it processes a record its sender sent after recording; held channels are exactly
 * where such records are, so the cut stays consistent (Flink's aligned barriers are the same idea).
 *
 * <p>The protocol tracks, per incoming channel, the next offset the process has not processed; that is where a
 * channel's recording begins ({@code recordedFrom}).
 */
public final class SnapshotProtocol {

    /** How many finished snapshot ids are remembered to recognise a late trigger or a stray marker. */
    static final int FINISHED_MEMORY = 4096;

    private final String process;
    private final Set<String> outgoing;
    private final Map<String, Long> positions;
    private final long firstSnapshot;
    private final int maxConcurrent;
    private final Controller controller;
    private final TreeMap<Long, Recording> recordings = new TreeMap<>();
    /** Snapshots waiting for markers before recording; see {@link Alignment}. */
    private final TreeMap<Long, Alignment> alignments = new TreeMap<>();
    private final Set<Long> finished = new HashSet<>();
    private final Deque<Long> finishedOrder = new ArrayDeque<>();

    /**
     * @param process       this process's id
     * @param positions     for every incoming channel, the next offset not yet processed
     * @param outgoing      the outgoing channels
     * @param firstSnapshot the first snapshot this process is a member of (the offset of its join record);
     *                      markers of earlier snapshots are not its business
     */
    public SnapshotProtocol(String process, Map<String, Long> positions, Set<String> outgoing, long firstSnapshot,
                            Controller controller) {
        this(process, positions, outgoing, firstSnapshot, Integer.MAX_VALUE, controller);
    }

    /**
     * @param maxConcurrent the most snapshots in flight at once; one more is refused through
     *                      {@link Controller#abort} with {@link AbortReason#TOO_MANY_CONCURRENT}
     */
    public SnapshotProtocol(String process, Map<String, Long> positions, Set<String> outgoing, long firstSnapshot,
                            int maxConcurrent, Controller controller) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        this.process = Objects.requireNonNull(process, "process");
        this.positions = new HashMap<>(positions);
        this.outgoing = Set.copyOf(outgoing);
        this.firstSnapshot = firstSnapshot;
        this.maxConcurrent = maxConcurrent;
        this.controller = Objects.requireNonNull(controller, "controller");
    }

    /** A trigger read from the control topic; {@code initiator} null means every member initiates. */
    public void onTrigger(long snapshot, String initiator) {
        onTrigger(snapshot, initiator, null);
    }

    /**
     * A trigger of a snapshot this process is a member of.
     *
     * @param awaited the incoming channels whose sender is a member too: only their markers are waited for; null
     *                means every incoming channel
     */
    public void onTrigger(long snapshot, String initiator, Set<String> awaited) {
        if (snapshot < firstSnapshot) {
            return;
        }
        Recording recording = recordings.get(snapshot);
        if (recording != null) {
            // A marker started it before the trigger was read; now the members are known.
            if (awaited != null) {
                recordings.put(snapshot, recording.narrowTo(awaited));
                completeIfDone(snapshot);
            }
            return;
        }
        Alignment alignment = alignments.get(snapshot);
        if (alignment != null) {
            if (awaited != null) {
                Alignment narrowed = alignment.narrowTo(awaited);
                alignments.put(snapshot, narrowed);
                releaseUnheld(alignment.markerArrivedAt().keySet());
                if (narrowed.missingMarkers(positions.keySet()).isEmpty()) {
                    capture(narrowed, narrowed.markerArrivedAt().keySet());
                }
            }
            return;
        }
        if ((initiator != null && !initiator.equals(process)) || finished.contains(snapshot)) {
            return;
        }
        if (refuseIfTooMany(snapshot)) {
            return;
        }
        Alignment start = Alignment.start(snapshot, awaited);
        Set<String> unmarked = start.missingMarkers(positions.keySet());
        if (!unmarked.isEmpty() && controller.alignFirst(snapshot, unmarked)) {
            alignments.put(snapshot, start);
        } else {
            capture(start, Set.of());
        }
    }

    /**
     * The trigger of {@code snapshot} was read and this process is not one of its members: its markers are not this
     * process's business. A marker may have started a recording before the trigger was read (a process that had
     * left and came back reads old markers first); it is dropped.
     *
     * @return whether a recording was dropped, whose capture the runtime must free
     */
    public boolean onNotAMember(long snapshot) {
        boolean dropped = recordings.remove(snapshot) != null | dropAlignment(snapshot);
        remember(snapshot);
        return dropped;
    }

    /**
     * Gives {@code snapshot} up here (an abort read from the control topic, a timeout, a lost capture): it is no
     * longer recorded and its later markers are ignored.
     *
     * @return whether it was in flight here
     */
    public boolean abort(long snapshot) {
        boolean wasRecording = recordings.remove(snapshot) != null | dropAlignment(snapshot);
        if (!finished.contains(snapshot)) {
            remember(snapshot);
        }
        return wasRecording;
    }

    /** The incoming channels of {@code snapshot} whose marker has not arrived; empty when not in flight. */
    public Set<String> missingMarkers(long snapshot) {
        Alignment alignment = alignments.get(snapshot);
        if (alignment != null) {
            return alignment.missingMarkers(positions.keySet());
        }
        Recording recording = recordings.get(snapshot);
        return recording == null ? Set.of() : recording.missingMarkers();
    }

    /** The snapshots waiting for markers before recording, oldest first. */
    public Set<Long> aligning() {
        return Set.copyOf(alignments.keySet());
    }

    /** Whether {@code channel} is held because its marker of a snapshot still aligning came. */
    public boolean isHeld(String channel) {
        return alignments.values().stream().anyMatch(a -> a.hasMarkerFrom(channel));
    }

    /**
     * Stops waiting for markers: {@code snapshot} records its state now, and the channels whose marker has not come
     * are recorded until it comes.
     *
     * @return whether it was aligning
     */
    public boolean captureNow(long snapshot) {
        Alignment alignment = alignments.get(snapshot);
        if (alignment == null) {
            return false;
        }
        capture(alignment, alignment.markerArrivedAt().keySet());
        return true;
    }

    /** The outgoing channels of {@code snapshot} whose marker is not yet acknowledged; empty when not in flight. */
    public Set<String> unacknowledgedMarkers(long snapshot) {
        Recording recording = recordings.get(snapshot);
        return recording == null ? Set.of() : recording.unacknowledgedMarkers();
    }

    /** A marker of {@code snapshot} at {@code offset} of an incoming channel. */
    public void onMarker(String channel, long offset, long snapshot) {
        if (!positions.containsKey(channel)) {
            controller.rejected(Rejection.UNKNOWN_CHANNEL, "marker of snapshot " + snapshot + " on " + channel
                    + " at offset " + offset);
            return;
        }
        try {
            if (snapshot < firstSnapshot) {
                controller.markerBeforeFirstSnapshot(snapshot, channel, offset, "marker of snapshot " + snapshot
                        + " on " + channel + " at offset " + offset + "; " + process + " joined at " + firstSnapshot);
                return;
            }
            if (finished.contains(snapshot)) {
                controller.rejected(Rejection.DUPLICATE_MARKER, "marker of finished snapshot " + snapshot + " on "
                        + channel + " at offset " + offset);
                return;
            }
            Recording recording = recordings.get(snapshot);
            if (recording == null) {
                onMarkerBeforeRecording(channel, offset, snapshot);
                return;
            }
            if (!recording.isAwaiting(channel)) {
                controller.rejected(Rejection.NOT_AWAITED, "marker of snapshot " + snapshot + " on " + channel
                        + " at offset " + offset);
                return;
            } else if (recording.hasMarkerFrom(channel)) {
                controller.rejected(Rejection.DUPLICATE_MARKER, "marker of snapshot " + snapshot + " on " + channel
                        + " at offset " + offset);
                return;
            }
            recordings.put(snapshot, recording.markerArrived(channel, offset));
            controller.markerArrived(snapshot, channel);
            completeIfDone(snapshot);
        } finally {
            positions.put(channel, offset + 1);
        }
    }

    /** A marker of a snapshot that this process has not recorded its state for: the first, or one more it aligns on. */
    private void onMarkerBeforeRecording(String channel, long offset, long snapshot) {
        Alignment alignment = alignments.get(snapshot);
        boolean first = alignment == null;
        Set<String> held = first ? Set.of() : alignment.markerArrivedAt().keySet();
        if (first) {
            if (refuseIfTooMany(snapshot)) {
                return;
            }
            alignment = Alignment.start(snapshot, null);
        }
        if (!alignment.isAwaiting(channel)) {
            controller.rejected(Rejection.NOT_AWAITED, "marker of snapshot " + snapshot + " on " + channel
                    + " at offset " + offset);
            return;
        } else if (alignment.hasMarkerFrom(channel)) {
            controller.rejected(Rejection.DUPLICATE_MARKER, "marker of snapshot " + snapshot + " on " + channel
                    + " at offset " + offset);
            return;
        }
        alignment = alignment.markerArrived(channel, offset);
        controller.markerArrived(snapshot, channel);
        Set<String> unmarked = alignment.missingMarkers(positions.keySet());
        if (unmarked.isEmpty() || (first && !controller.alignFirst(snapshot, unmarked))) {
            capture(alignment, held);
            return;
        }
        boolean heldAlready = isHeld(channel);
        alignments.put(snapshot, alignment);
        if (!heldAlready) {
            controller.holdChannel(channel);
        }
    }

    /** An app record on an incoming channel, just before the application processes it. */
    public void onAppRecord(String channel, long offset) {
        if (!positions.containsKey(channel)) {
            controller.rejected(Rejection.UNKNOWN_CHANNEL, "record on " + channel + " at offset " + offset);
            return;
        }
        for (Recording recording : recordings.values()) {
            if (recording.isOpen(channel)) {
                controller.recordChannelRecord(recording.snapshot(), channel, offset);
            }
        }
        positions.put(channel, offset + 1);
    }

    /**
     * A record of an incoming channel that is neither an app record nor a usable marker (the runtime logged why):
     * it is passed over, so only the position moves.
     */
    public void onSkippedRecord(String channel, long offset) {
        if (positions.containsKey(channel)) {
            positions.put(channel, offset + 1);
        }
    }

    /** The marker of {@code snapshot} landed at {@code offset} of outgoing {@code channel}. */
    public void onMarkerSent(long snapshot, String channel, long offset) {
        Recording recording = recordings.get(snapshot);
        if (recording == null || !recording.awaitsMarkerAck(channel)) {
            controller.rejected(Rejection.UNEXPECTED_ACK, "marker of snapshot " + snapshot + " acknowledged on "
                    + channel + " at offset " + offset);
            return;
        }
        recordings.put(snapshot, recording.markerSent(channel, offset));
        completeIfDone(snapshot);
    }

    /** The local state captured for {@code snapshot} has been read out. */
    public void onLocalStateRecorded(long snapshot) {
        Recording recording = recordings.get(snapshot);
        if (recording == null || !recording.awaitsState()) {
            controller.rejected(Rejection.UNEXPECTED_ACK, "state of snapshot " + snapshot + " read out");
            return;
        }
        recordings.put(snapshot, recording.stateRecorded());
        completeIfDone(snapshot);
    }

    /** For every incoming channel, the next offset not yet processed: what the runtime persists with the state. */
    public Map<String, Long> positions() {
        return Map.copyOf(positions);
    }

    /** The snapshots this process has recorded and not yet finished. */
    public Set<Long> inFlight() {
        Set<Long> all = new HashSet<>(recordings.keySet());
        all.addAll(alignments.keySet());
        return Set.copyOf(all);
    }

    /** Whether this process is recording {@code channel} for some snapshot in flight. */
    public boolean isRecording(String channel) {
        return recordings.values().stream().anyMatch(r -> r.isOpen(channel));
    }

    /** Refuses {@code snapshot} when as many as allowed are in flight already (aligning or recording). */
    private boolean refuseIfTooMany(long snapshot) {
        if (recordings.size() + alignments.size() < maxConcurrent) {
            return false;
        }
        Set<Long> inFlight = inFlight();
        remember(snapshot);
        controller.abort(snapshot, AbortReason.TOO_MANY_CONCURRENT, process + " has " + inFlight.size()
                + " snapshots in flight " + new TreeSet<>(inFlight) + ", at most " + maxConcurrent);
        return true;
    }

    /**
     * Records the state now: the channels whose marker came while aligning have no channel state, every other
     * awaited channel is recorded from here until its marker. The channels in {@code held} are let go only after
     * the capture.
     */
    private void capture(Alignment alignment, Set<String> held) {
        long snapshot = alignment.snapshot();
        alignments.remove(snapshot);
        Recording recording = Recording.afterAlignment(snapshot, positions, outgoing, alignment.markerArrivedAt());
        if (alignment.awaited() != null) {
            recording = recording.narrowTo(alignment.awaited());
        }
        recordings.put(snapshot, recording);
        controller.recordLocalState(snapshot);
        controller.sendMarkers(snapshot);
        releaseUnheld(held);
        // The controller may answer from inside those calls (state read out, markers acked): the map has the
        // recording as it is now.
        completeIfDone(snapshot);
    }

    private boolean dropAlignment(long snapshot) {
        Alignment dropped = alignments.remove(snapshot);
        if (dropped == null) {
            return false;
        }
        releaseUnheld(dropped.markerArrivedAt().keySet());
        return true;
    }

    /** Lets go of each of {@code channels} that no alignment holds any more. */
    private void releaseUnheld(Set<String> channels) {
        for (String channel : new TreeSet<>(channels)) {
            if (!isHeld(channel)) {
                controller.releaseChannel(channel);
            }
        }
    }

    private void completeIfDone(long snapshot) {
        Recording recording = recordings.get(snapshot);
        if (recording != null && recording.isComplete()) {
            recordings.remove(snapshot);
            remember(snapshot);
            controller.fragmentComplete(recording.toLocalSnapshot());
        }
    }

    private void remember(long snapshot) {
        finished.add(snapshot);
        finishedOrder.addLast(snapshot);
        if (finishedOrder.size() > FINISHED_MEMORY) {
            finished.remove(finishedOrder.removeFirst());
        }
    }
}
