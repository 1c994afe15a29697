package io.kafkasnap.engine;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Timeline;
import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.protocol.Controller;
import io.kafkasnap.protocol.LocalSnapshot;
import io.kafkasnap.protocol.Rejection;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.RecordedRecord;
import io.kafkasnap.store.StateCapture;
import io.kafkasnap.store.StoredHeader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol's port at a running node: what the core asks for (capture the state, send markers, keep a record,
 * publish a fragment, refuse a snapshot), done with the node's store, step runner and fragment publisher; and the
 * ways a snapshot ends early here (aborted by a member, timed out, capture lost in a crash, fragment not published).
 * Called on the event loop only.
 */
final class SnapshotSteps implements Controller {

    /** What the steps need of the event loop. */
    interface Loop {
        /** Runs {@code task} on the loop once the current event is done (the protocol is not re-entrant). */
        void later(Runnable task);

        SnapshotProtocol protocol();

        /** The app record the loop is handing to the protocol right now. */
        InputRecord current();

        /**
         * What the loop is handing to the protocol when a recording starts: {@link Timeline#TRIGGER} while it hands
         * over a trigger, {@link Timeline#MARKER} otherwise (a recording starts at a trigger or at a marker only).
         */
        String startingEvent();

        /**
         * Whether the control topic has this process as a member of {@code snapshot}, triggered no longer than the
         * snapshot timeout ago: the members may still be waiting for it.
         */
        boolean memberOfRecent(long snapshot);

        /** Stops handing records of {@code channel} to the protocol, until {@link #release}. */
        void hold(String channel);

        /** Hands records of {@code channel} again, from the protocol's position. */
        void release(String channel);
    }

    /** A snapshot waiting for markers before capturing: when it began, for the timeout and the timeline. */
    private record Aligning(long sinceNanos, long sinceMillis, String startedBy, Map<String, Long> markerIn) {
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotSteps.class);

    private final String processId;
    private final Set<String> outgoing;
    private final NodeStore store;
    private final StepRunner steps;
    private final ChannelSequences sequences;
    private final ControlLog control;
    private final Loop loop;
    private final long timeoutNanos;
    private final Time time;
    private final FragmentSink publisher;
    /** Snapshots from before this run that it gave up, so that each is announced once, not at each marker. */
    private final Set<Long> givenUpFromBefore = new HashSet<>();

    /** One snapshot's life at this node: captured, recording its channels, then publishing its fragment. */
    private static final class InFlight {
        final StateCapture capture;
        final long recordedAt;
        /** Where each incoming channel's sequence stood at the capture: the check needs it to tell re-sends apart. */
        final Map<String, long[]> applied;
        final long startedAt;
        final String startedBy;
        final long triggerSeen;
        /** When the last of this node's markers was acknowledged; -1 until one is. */
        long markersAcked = -1;
        /** When each awaited incoming channel's marker arrived. */
        final Map<String, Long> markerIn = new HashMap<>();
        boolean publishing;
        /** The fragment sink owns the capture from then on, and releases it. */
        boolean handedOver;

        InFlight(StateCapture capture, long recordedAt, Map<String, long[]> applied, long startedAt,
                 String startedBy, long triggerSeen) {
            this.startedBy = startedBy;
            this.triggerSeen = triggerSeen;
            this.capture = capture;
            this.recordedAt = recordedAt;
            this.applied = applied;
            this.startedAt = startedAt;
        }
    }

    private final Map<Long, InFlight> inFlight = new TreeMap<>();
    private final Map<Long, Aligning> aligning = new TreeMap<>();
    /** Arrival of the marker that starts a snapshot here, until its capture or wait takes it over. */
    private final Map<Long, Map<String, Long>> earlyMarkerIn = new HashMap<>();
    private final AlignPolicy align;
    private final InputControl input;

    private final MeterRegistry meters;
    private final Counter recorded;
    private final Counter fragments;
    private final Counter started;
    private final Timer capturePause;
    private final Counter aligned;

    SnapshotSteps(String processId, Set<String> outgoing, NodeStore store, StepRunner steps,
                  ChannelSequences sequences, ControlLog control, FragmentSink publisher, Loop loop,
                  long timeoutMillis, AlignPolicy align, InputControl input, Time time, MeterRegistry meters) {
        this.align = align;
        this.input = input;
        this.publisher = publisher;
        this.time = time;
        this.sequences = sequences;
        this.processId = processId;
        this.outgoing = outgoing;
        this.store = store;
        this.steps = steps;
        this.control = control;
        this.loop = loop;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.meters = meters;
        String[] tags = {"process", processId};
        this.recorded = Counter.builder("kafkasnap.records.recorded").tags(tags)
                .description("channel records kept as channel state of a snapshot").register(meters);
        this.fragments = Counter.builder("kafkasnap.snapshots.completed").tags(tags)
                .description("snapshots whose fragment this node published").register(meters);
        this.started = Counter.builder("kafkasnap.snapshots.started").tags(tags)
                .description("snapshots this node recorded its state for").register(meters);
        this.capturePause = capturePause(meters, processId);
        this.aligned = Counter.builder("kafkasnap.snapshots.aligned").tags(tags)
                .description("snapshots this node waited for markers for before recording its state").register(meters);
        registerReasonCounters(meters, processId);
    }

    /**
     * Bucket bounds of the capture pause, 0.1 ms to 10 s. Client-side percentiles are computed over a window of about
     * two minutes and read 0.0 once no capture fell in it, which with snapshots minutes apart is nearly always; the
     * buckets count every capture since start, and Prometheus computes any quantile from them
     * ({@code histogram_quantile(0.99, rate(kafkasnap_capture_pause_seconds_bucket[15m]))}).
     */
    static final Duration[] CAPTURE_PAUSE_BUCKETS = Stream.of(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0,
            100.0, 250.0, 500.0, 1_000.0, 2_500.0, 5_000.0, 10_000.0)
            .map(ms -> Duration.ofNanos(Math.round(ms * 1_000_000))).toArray(Duration[]::new);

    static Timer capturePause(MeterRegistry meters, String processId) {
        return Timer.builder("kafkasnap.capture.pause").tags("process", processId)
                .description("time the event loop stops to commit its step and capture the state")
                .serviceLevelObjectives(CAPTURE_PAUSE_BUCKETS).register(meters);
    }

    /**
     * Every reason of the counters by reason, at 0: a series that exists before its first event lets a dashboard tell
     * "none yet" from "not reported", and makes {@code rate()} and {@code increase()} see the first one.
     */
    static void registerReasonCounters(MeterRegistry meters, String processId) {
        for (Rejection reason : Rejection.values()) {
            rejections(meters, processId, reason);
        }
        for (AbortReason reason : AbortReason.values()) {
            aborted(meters, processId, reason);
        }
    }

    private static Counter rejections(MeterRegistry meters, String processId, Rejection reason) {
        return Counter.builder("kafkasnap.protocol.rejections").tags("process", processId, "reason", reason.name())
                .description("protocol inputs rejected, by reason").register(meters);
    }

    private static Counter aborted(MeterRegistry meters, String processId, AbortReason reason) {
        return Counter.builder("kafkasnap.snapshots.aborted").tags("process", processId, "reason", reason.wire())
                .description("snapshots given up here, by reason").register(meters);
    }

    // ---- the core's requests -------------------------------------------------------------------------------

    @Override
    public boolean alignFirst(long snapshot, Set<String> unmarked) {
        if (!align.waitFor(unmarked, input)) {
            return false;
        }
        // Noted in flight in this step's write with the marker's position: a restart gives it up (abortLost), for
        // the held channels' records after their markers would otherwise be processed before a capture.
        store.putInFlight(snapshot);
        Map<String, Long> markerIn = new HashMap<>(earlyMarkerIn.getOrDefault(snapshot, Map.of()));
        earlyMarkerIn.remove(snapshot);
        aligning.put(snapshot, new Aligning(time.nanos(), time.millis(), loop.startingEvent(), markerIn));
        aligned.increment();
        log.debug("{}: snapshot {} waits for the markers of {} before recording its state", processId, snapshot,
                unmarked);
        return true;
    }

    @Override
    public void holdChannel(String channel) {
        loop.hold(channel);
    }

    @Override
    public void releaseChannel(String channel) {
        loop.release(channel);
    }

    /**
     * Captures each aligning snapshot that has waited long enough, or whose channels still to bring a marker (the
     * held ones aside) are now nearly drained.
     */
    void captureAligned(long nowNanos) {
        if (aligning.isEmpty()) {
            return;
        }
        SnapshotProtocol protocol = loop.protocol();
        for (long snapshot : new ArrayList<>(aligning.keySet())) {
            Aligning waiting = aligning.get(snapshot);
            if (waiting == null || !protocol.aligning().contains(snapshot)) {
                aligning.remove(snapshot);
                continue;
            }
            Set<String> open = new TreeSet<>(protocol.missingMarkers(snapshot));
            open.removeIf(protocol::isHeld);
            boolean overdue = nowNanos - waiting.sinceNanos() >= align.timeoutNanos();
            if (overdue || !align.waitFor(open, input)) {
                if (overdue) {
                    log.info("{}: snapshot {} waited {} ms for the markers of {}; records its state now and keeps"
                            + " those channels' records until their markers", processId, snapshot,
                            align.timeoutMillis(), protocol.missingMarkers(snapshot));
                }
                protocol.captureNow(snapshot);
            }
        }
    }

    /** Nanoseconds until the first aligning snapshot's wait ends, at most {@code max}. */
    long nanosUntilAlignmentDue(long nowNanos, long max) {
        long wait = max;
        for (Aligning waiting : aligning.values()) {
            wait = Math.min(wait, waiting.sinceNanos() + align.timeoutNanos() - nowNanos);
        }
        return wait;
    }

    @Override
    public void recordLocalState(long snapshot) {
        Aligning waited = aligning.remove(snapshot);
        long seen = waited == null ? time.millis() : waited.sinceMillis();
        long start = time.nanos();
        // The capture must show exactly the events before this one, with their positions: end the step here. The
        // snapshot is noted in flight in the same write, so a restart knows its capture is gone.
        store.putInFlight(snapshot);
        steps.commitBeforeCapture();
        StateCapture capture = store.capture();
        capturePause.record(time.nanos() - start, TimeUnit.NANOSECONDS);
        InFlight here = new InFlight(capture, time.millis(), sequences.copy(),
                waited == null ? time.nanos() : waited.sinceNanos(),
                waited == null ? loop.startingEvent() : waited.startedBy(), seen);
        if (waited != null) {
            here.markerIn.putAll(waited.markerIn());
        }
        Map<String, Long> early = earlyMarkerIn.remove(snapshot);
        if (early != null) {
            here.markerIn.putAll(early);
        }
        inFlight.put(snapshot, here);
        started.increment();
        loop.later(() -> loop.protocol().onLocalStateRecorded(snapshot));
    }

    @Override
    public void sendMarkers(long snapshot) {
        for (String channel : outgoing) {
            steps.sendMarker(channel, snapshot);
        }
    }

    @Override
    public void markerArrived(long snapshot, String channel) {
        InFlight here = inFlight.get(snapshot);
        if (here != null) {
            here.markerIn.put(channel, time.millis());
        } else if (aligning.containsKey(snapshot)) {
            aligning.get(snapshot).markerIn().put(channel, time.millis());
        } else {
            // The marker that starts the snapshot here: told before the capture or the wait that it leads to.
            earlyMarkerIn.computeIfAbsent(snapshot, s -> new HashMap<>()).put(channel, time.millis());
        }
    }

    /** One of this node's markers of {@code snapshot} was acknowledged; told before the protocol hears of it. */
    void markerAcknowledged(long snapshot) {
        InFlight here = inFlight.get(snapshot);
        if (here != null && !here.publishing) {
            here.markersAcked = time.millis();
        }
    }

    @Override
    public void recordChannelRecord(long snapshot, String channel, long offset) {
        InputRecord current = loop.current();
        List<StoredHeader> headers = new ArrayList<>();
        for (Header header : current.headers()) {
            headers.add(new StoredHeader(header.key(), header.value()));
        }
        store.putRecorded(snapshot, new RecordedRecord(channel, offset, current.key(), current.value(), headers,
                current.timestamp()));
        recorded.increment();
    }

    @Override
    public void fragmentComplete(LocalSnapshot local) {
        long snapshot = local.snapshot();
        InFlight here = inFlight.get(snapshot);
        here.publishing = true;
        Timeline.OnLoop onLoop = onLoop(here, local);
        // The records kept for it may still be in this step's batch; the publisher reads them once committed.
        steps.afterCommit(() -> {
            if (inFlight.get(snapshot) == here) {
                here.handedOver = true;
                publisher.publish(local, here.capture, onLoop, here.applied);
            } else {
                here.capture.close(); // given up before its step committed
            }
        });
    }

    /**
     * The timeline up to now. A node with no outgoing channels waited for no acknowledgement, and one whose senders
     * are not members for no marker: that wait ended when it captured its state.
     */
    private static Timeline.OnLoop onLoop(InFlight here, LocalSnapshot local) {
        // A node that waited for markers before capturing had them in before it captured: that wait shows as
        // trigger seen → captured, and none is left after the capture.
        long lastIn = Math.max(here.recordedAt, local.in().keySet().stream()
                .mapToLong(c -> here.markerIn.getOrDefault(c, here.recordedAt)).max().orElse(here.recordedAt));
        long acked = local.out().isEmpty() || here.markersAcked < 0 ? here.recordedAt : here.markersAcked;
        return new Timeline.OnLoop(here.startedBy, here.triggerSeen, here.recordedAt, acked, lastIn);
    }

    @Override
    public void abort(long snapshot, AbortReason reason, String detail) {
        announce(snapshot, reason, detail);
    }

    @Override
    public void markerBeforeFirstSnapshot(long snapshot, String channel, long offset, String detail) {
        rejected(Rejection.NOT_A_MEMBER, detail);
        if (loop.memberOfRecent(snapshot) && givenUpFromBefore.add(snapshot)) {
            // This node acts on control records after the trigger (it read it in a previous run) and kept no capture
            // of the snapshot, or the restart would have aborted it: it cannot record a state from before the
            // restart now. Without an abort every other member would wait out the snapshot timeout for it.
            String why = processId + " restarted after reading the trigger of snapshot " + snapshot + " and before"
                    + " recording its state for it, so it cannot take part (its marker arrived on " + channel
                    + " at offset " + offset + " after the restart)";
            log.warn("{}: snapshot {}: {}; aborting it", processId, snapshot, why);
            announce(snapshot, AbortReason.RESTARTED_DURING_SNAPSHOT, why);
        }
    }

    @Override
    public void rejected(Rejection reason, String detail) {
        rejections(meters, processId, reason).increment();
        log.warn("{}: ignored {}: {}", processId, detail, reason.message());
    }

    // ---- outcomes of the fragment publisher (posted to the loop) ---------------------------------------------

    void published(long snapshot, int chunks) {
        InFlight here = inFlight.get(snapshot);
        if (here != null && here.publishing) {
            inFlight.remove(snapshot);
            store.removeInFlight(snapshot);
            store.deleteRecorded(snapshot);
            fragments.increment();
            log.debug("{}: published its fragment of snapshot {} in {} chunk(s)", processId, snapshot, chunks);
        }
    }

    void publishFailed(long snapshot, Throwable cause) {
        InFlight here = inFlight.get(snapshot);
        if (here != null && here.publishing) {
            log.warn("{}: could not publish its fragment of snapshot {}; aborting that snapshot: {}", processId,
                    snapshot, cause.toString());
            giveUp(snapshot, AbortReason.FRAGMENT_NOT_PUBLISHED, cause.toString());
        }
    }

    // ---- ending a snapshot early -----------------------------------------------------------------------------

    /** Gives {@code snapshot} up here and tells every member, so they free what they hold for it. */
    void giveUp(long snapshot, AbortReason reason, String detail) {
        loop.protocol().abort(snapshot);
        free(snapshot);
        announce(snapshot, reason, detail);
    }

    /** A member (perhaps this node) aborted {@code snapshot}: free what is held for it here. */
    void aborted(ControlRecord.Abort abort) {
        boolean wasHere = loop.protocol().abort(abort.snapshot());
        boolean held = holds(abort.snapshot());
        free(abort.snapshot());
        if ((wasHere || held) && !abort.process().equals(processId)) {
            log.info("{}: snapshot {} was aborted by {} ({}: {}); freed what it held for it", processId,
                    abort.snapshot(), abort.process(), abort.reason(), abort.detail());
        }
    }

    /** Aborts every snapshot that has recorded here for longer than the timeout, naming what it still waits for. */
    void abortOverdue(long nowNanos) {
        if (inFlight.isEmpty()) {
            return; // the usual case, every step: no stream to build
        }
        List<Long> overdue = inFlight.entrySet().stream()
                .filter(e -> !e.getValue().publishing && nowNanos - e.getValue().startedAt > timeoutNanos)
                .map(Map.Entry::getKey).toList();
        for (long snapshot : overdue) {
            SnapshotProtocol protocol = loop.protocol();
            String detail = processId + " waited " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms; markers missing on "
                    + protocol.missingMarkers(snapshot) + ", own markers not acknowledged on "
                    + protocol.unacknowledgedMarkers(snapshot);
            log.warn("{}: snapshot {} timed out here: {}", processId, snapshot, detail);
            giveUp(snapshot, AbortReason.TIMED_OUT, detail);
        }
    }

    /**
     * At start: the snapshots a previous run captured and did not publish are lost with their capture. The markers
     * that run put in its outbox are still sent, so nobody waits for them; the abort tells everyone to stop.
     */
    void abortLost(Set<Long> inFlight) {
        for (long snapshot : inFlight) {
            loop.protocol().abort(snapshot);
            store.removeInFlight(snapshot);
            givenUpFromBefore.add(snapshot);
            announce(snapshot, AbortReason.RESTARTED_DURING_SNAPSHOT, processId
                    + " restarted after it began this snapshot (captured its state, or held channels waiting for"
                    + " markers) and before publishing its fragment");
        }
        for (long snapshot : store.snapshotsWithRecords()) {
            store.deleteRecorded(snapshot);
        }
    }

    /** Gives up every snapshot recording or publishing here: a restore makes them moot. */
    void abortAll(AbortReason reason, String detail) {
        Set<Long> all = new TreeSet<>(inFlight.keySet());
        all.addAll(loop.protocol().inFlight());
        all.forEach(snapshot -> giveUp(snapshot, reason, detail));
    }

    /**
     * At a clean stop: every snapshot still recording here is given up. One whose fragment is being published is
     * left alone: its chunks may all be out, and then it is complete; if they are not, it times out, or the next
     * start aborts it.
     */
    void abortRecording(AbortReason reason, String detail) {
        Set<Long> recording = new TreeSet<>(inFlight.keySet());
        recording.addAll(loop.protocol().inFlight());
        inFlight.forEach((snapshot, here) -> {
            if (here.publishing) {
                recording.remove(snapshot);
            }
        });
        recording.forEach(snapshot -> giveUp(snapshot, reason, detail));
    }

    /** Drops what is held for {@code snapshot} without telling anyone: this node turned out not to be a member. */
    void discard(long snapshot) {
        free(snapshot);
    }

    /** Snapshots recording or publishing here. */
    Set<Long> inFlight() {
        return new TreeSet<>(inFlight.keySet());
    }

    /** Releases captures still held; after the publisher has stopped, before the store closes. */
    void releaseCaptures() {
        inFlight.values().forEach(here -> {
            if (!here.handedOver) {
                here.capture.close();
            }
        });
        inFlight.clear();
    }

    private boolean holds(long snapshot) {
        return inFlight.containsKey(snapshot) || aligning.containsKey(snapshot);
    }

    private void free(long snapshot) {
        aligning.remove(snapshot);
        earlyMarkerIn.remove(snapshot);
        InFlight here = inFlight.remove(snapshot);
        if (here != null) {
            if (here.handedOver) {
                publisher.cancel(snapshot);
            } else if (!here.publishing) {
                here.capture.close();
            } // publishing, not handed over yet: the step's afterCommit sees it gone and releases the capture
        }
        store.removeInFlight(snapshot);
        store.deleteRecorded(snapshot);
    }

    /** Tells every member that this node gives {@code snapshot} up, though it holds nothing for it. */
    void announceAbort(long snapshot, AbortReason reason, String detail) {
        givenUpFromBefore.add(snapshot);
        announce(snapshot, reason, detail);
    }

    private void announce(long snapshot, AbortReason reason, String detail) {
        aborted(meters, processId, reason).increment();
        control.write(new ControlRecord.Abort(snapshot, processId, reason.wire(), detail));
    }
}
