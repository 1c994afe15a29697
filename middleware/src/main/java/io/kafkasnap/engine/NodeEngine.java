package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.api.Restore;
import io.kafkasnap.api.RestoreListener;
import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Timeline;
import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.StoreException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a node decides, behind narrow ports (DESIGN.md, "The node"): no Kafka client, no thread, no clock of its
 * own. The shell drives it on one thread with calls (a channel record, a control record, a tick) and events (a send
 * acknowledged or failed, a fragment published or failed, a restore target loaded, a control record written), and ends
 * each step with {@link #endStep()}, the only commit. A simulation drives it the same way with its own ports and time.
 *
 * <p>Internal to kafkasnap: public only so that the shell in another package can drive it.
 */
public final class NodeEngine {

    /** A timer task and its period. */
    public record Periodic(Duration period, NodeTask task) {
    }

    /** What the engine is told once, at construction. */
    public record Settings(String processId, Set<String> incoming, Set<String> outgoing, RecordHandler handler,
                           List<NodeTask> onStart, List<Periodic> timers, long snapshotTimeoutMs,
                           int maxConcurrentSnapshots, int outboxMaxRecords, long statusIntervalMs,
                           long restoreRetryMs, long alignMaxLag, long alignTimeoutMs) {
        public Settings {
            incoming = Set.copyOf(incoming);
            outgoing = Set.copyOf(outgoing);
            onStart = List.copyOf(onStart);
            timers = List.copyOf(timers);
        }
    }

    /** The engine's only ways to act on the world. */
    public record Ports(ChannelOutput channels, ControlLog control, FragmentSink fragments, SnapshotSource snapshots,
                        InputControl input, StatusSink status) {
    }

    private static final Logger log = LoggerFactory.getLogger(NodeEngine.class);

    private final Settings settings;
    private final Set<BrokenVariant> broken;
    private final String processId;
    private final NodeStore store;
    private final Ports ports;
    private final Time time;
    private final MeterRegistry meters;
    private final ControlDispatcher dispatcher;
    private final Outbox outbox;
    private final StepRunner steps;
    private final ChannelSequences sequences;
    private final PositionWrites positionWrites = new PositionWrites();
    private final SnapshotSteps snapshots;
    private final HandlerContext context;
    private final RestoreStep restorer;
    private final List<long[]> timerDue = new ArrayList<>();
    private final Deque<Runnable> later = new ArrayDeque<>();
    /** Restores that count, read and not yet applied, by epoch; the first is being loaded. */
    private final TreeMap<Long, ControlHistory.RestoreVerdict> pendingRestores = new TreeMap<>();
    /** Restores that count on the control topic whose snapshot turned out not restorable: void at every node. */
    private final Set<Long> refusedRestores = new HashSet<>();
    private long loading = -1;
    /** Lost its state after sending in this epoch: waits for a restore of a later epoch; -1 when not waiting. */
    private long awaitingRestoreAfter = -1;
    private long retryLoadAt;
    private boolean retryLoad;
    private SnapshotProtocol protocol;
    private ChannelInput input;
    private long epoch;
    private boolean fresh;
    private long statusDue;
    private boolean opened;
    private RestoreListener restoreListener;
    /** While a trigger is handed to the protocol: a recording that starts now was started by it, not by a marker. */
    private boolean handingTrigger;

    public NodeEngine(Settings settings, NodeStore store, Ports ports, Time time, MeterRegistry meters) {
        this(settings, store, ports, time, meters, Set.of());
    }

    NodeEngine(Settings settings, NodeStore store, Ports ports, Time time, MeterRegistry meters,
               Set<BrokenVariant> broken) {
        this.broken = broken;
        this.settings = Objects.requireNonNull(settings);
        this.processId = settings.processId();
        this.store = store;
        this.ports = ports;
        this.time = time;
        this.meters = meters;
        this.dispatcher = new ControlDispatcher(processId, settings.incoming(), new ControlActions());
        this.epoch = store.epoch();
        this.awaitingRestoreAfter = store.awaitingRestore();
        this.sequences = new ChannelSequences(store.applied());
        this.outbox = new Outbox(processId, ports.channels(), new OutboxEvents(), settings.outboxMaxRecords(),
                broken.contains(BrokenVariant.DELETE_ACKNOWLEDGED_OUT_OF_ORDER));
        this.steps = new StepRunner(store, outbox, () -> epoch, List.of(
                s -> {
                    if (protocol != null) {
                        positionWrites.writeInputs(s, protocol.positions());
                    }
                },
                sequences::writeTo,
                s -> {
                    if (opened) {
                        positionWrites.writeControl(s, dispatcher.nextOffset());
                    }
                },
                outbox::deleteAcknowledged), broken.contains(BrokenVariant.COMMIT_POSITIONS_BEFORE_OUTBOX));
        this.snapshots = new SnapshotSteps(processId, settings.outgoing(), store, steps, sequences, ports.control(),
                ports.fragments(), new LoopPort(), settings.snapshotTimeoutMs(),
                new AlignPolicy(settings.alignMaxLag(), settings.alignTimeoutMs()), ports.input(), time, meters);
        this.context = new HandlerContext(processId, settings.incoming(), settings.outgoing(), store, steps);
        this.restorer = new RestoreStep(processId, settings.incoming(), settings.outgoing(), store, steps, sequences,
                snapshots, outbox, new RestorePort(), broken.contains(BrokenVariant.SKIP_FENCE));
        long now = time.nanos();
        for (Periodic timer : settings.timers()) {
            timerDue.add(new long[] {now + timer.period().toNanos()});
        }
        Gauge.builder("kafkasnap.outbox.depth", outbox, Outbox::depth).tags("process", processId)
                .description("records sent on channels and not yet acknowledged").register(meters);
    }

    /**
     * Tells {@code listener} of every restore this engine applies, on the loop inside the restore's step (see
     * {@link RestoreListener}). Set it before {@link #firstStep()}; null removes it.
     */
    public NodeEngine onRestore(RestoreListener listener) {
        this.restoreListener = listener;
        return this;
    }

    // ---- start -----------------------------------------------------------------------------------------------

    /**
     * Where this node acts from on the control topic, given the offset of the join it just wrote: its stored position,
     * or (a new process, or one whose state directory was lost) the record after its join.
     */
    public long actFrom(long joinOffset) {
        fresh = store.controlPosition().isEmpty();
        // A stored position past our own join belongs to another incarnation of the control topic.
        return Math.min(store.controlPosition().orElse(joinOffset + 1), joinOffset + 1);
    }

    /** Whether this node lost its state after sending in the current epoch and waits for a restore. */
    public boolean isAwaitingRestore() {
        return awaitingRestoreAfter >= 0;
    }

    /** Whether no previous run left a control position: a new process, or one whose state directory was lost. */
    public boolean isFresh() {
        return fresh;
    }

    /** A control record below {@link #actFrom}: it only builds the history (membership, joins, restores). */
    public void catchUpControl(long offset, long timestamp, byte[] value) {
        dispatcher.catchUp(offset, timestamp, value);
    }

    /**
     * Ends the catch-up: the node acts on control records from {@code actFrom} on.
     *
     * @param beginnings    the first offset of every incoming channel, for those this node has no stored position of
     * @param lastOutEpochs the epoch of the last record of each outgoing channel, -1 for an empty one
     * @param heads         reads the incoming channels whose head retention removed, for a node without state
     * @return where to read each incoming channel from
     *                      (a process that ran before, lost its state directory and has sent in the current epoch
     *                      waits for a restore: starting over would send other records under sequence numbers that
     *                      its receivers have applied)
     */
    public Map<String, Long> open(long actFrom, Map<String, Long> beginnings, Map<String, Long> lastOutEpochs,
                                  ChannelHeads heads) {
        dispatcher.actFrom(actFrom);
        ControlHistory history = dispatcher.history();
        long ranBefore = history.firstJoin(processId).orElse(Long.MAX_VALUE);
        if (fresh && ranBefore < actFrom - 1) {
            long current = history.latestRestore().map(ControlHistory.RestoreVerdict::epoch).orElse(0L);
            List<String> sentIn = settings.outgoing().stream()
                    .filter(c -> lastOutEpochs.getOrDefault(c, -1L) >= current).sorted().toList();
            if (!sentIn.isEmpty()) {
                awaitingRestoreAfter = sentIn.stream().mapToLong(c -> lastOutEpochs.get(c)).max().orElse(current);
                store.putAwaitingRestore(awaitingRestoreAfter); // committed with the first step: a restart waits too
                log.error("{} has no state (its state directory is new) but it ran before (joined at control offset"
                        + " {}) and its outgoing channel(s) {} hold its records of epoch {}: starting over would send"
                        + " other records under sequence numbers its receivers have applied. It takes no input and"
                        + " no part in snapshots until a restore written from now on rolls every process back: restore"
                        + " a complete snapshot (kafkasnap restore <snapshot>)", processId, ranBefore, sentIn,
                        awaitingRestoreAfter);
            }
        }
        Map<String, Long> stored = store.positions();
        if (fresh && !isAwaitingRestore()) {
            refuseLostHeads(history, beginnings, heads);
        }
        Map<String, Long> positions = new HashMap<>();
        for (String channel : settings.incoming()) {
            Long position = stored.containsKey(channel) ? stored.get(channel) : beginnings.get(channel);
            positions.put(channel, Objects.requireNonNull(position, "no position for " + channel));
        }
        // Snapshots triggered before the point this node acts from are not its business: a fresh node was not a
        // member, a restarted one finished or lost them (and aborts those in firstStep).
        protocol = new SnapshotProtocol(processId, positions, settings.outgoing(), actFrom,
                settings.maxConcurrentSnapshots(), snapshots);
        input = new ChannelInput(processId, protocol, sequences, ports.input(), new EpochsPort(),
                settings.handler(), context, steps, meters, broken.contains(BrokenVariant.APPLY_GAP),
                broken.contains(BrokenVariant.ALIGN_WITHOUT_HOLD));
        opened = true;
        return positions;
    }

    /**
     * A node without state starts in the latest restore's epoch (rebuilt from its snapshot, or from its initial state)
     * or, with none, from its initial state at the start of every incoming channel. Either way it must see each
     * sender's first record of that epoch; if retention removed it, starting would silently lose what it held.
     */
    private void refuseLostHeads(ControlHistory history, Map<String, Long> beginnings, ChannelHeads heads) {
        long current = history.latestRestore().map(ControlHistory.RestoreVerdict::epoch).orElse(0L);
        List<String> lost = settings.incoming().stream().sorted()
                .filter(c -> beginnings.getOrDefault(c, 0L) > 0)
                .filter(c -> !heads.holdsStartOf(c, beginnings.get(c), current)).toList();
        if (lost.isEmpty()) {
            return;
        }
        String what = current == 0 ? "the first records its senders sent" : "the fence of epoch " + current
                + " (the restore at control offset " + current + ")";
        throw new IllegalStateException(processId + " has no state (a new process, or its state directory was lost)"
                + " and cannot start from a guess: retention removed " + what + " from " + lost.stream()
                .map(c -> c + " (now starting at offset " + beginnings.get(c) + ")").toList() + ", so the records"
                + " it would apply first are gone. Restore a complete snapshot that has " + processId + " as a member"
                + " (kafkasnap restore <snapshot>), written after the senders' records that are still kept, or"
                + " create channels with retention.ms=-1");
    }

    /** The thread that drives the engine: handlers may use their context on it only. */
    public void bindTo(Thread loop) {
        context.bindTo(loop);
    }

    /**
     * The first step: gives up what a crash lost, sends again what a previous run had not seen acknowledged, runs
     * onStart, announces a restore applied and not yet announced, and takes up the restores read while catching up.
     */
    public void firstStep() throws Exception {
        snapshots.abortLost(store.inFlight());
        outbox.send(store.outbox());
        if (isAwaitingRestore()) {
            settings.incoming().forEach(ports.input()::pause);
        } else {
            for (NodeTask task : settings.onStart()) {
                task.run(context);
            }
        }
        long[] pending = store.restoredPending();
        if (pending != null) {
            ports.control().write(new ControlRecord.Restored(processId, pending[0], pending[1]));
        }
        // Restores written while this node was not running (or while it was loading one when it stopped).
        ControlHistory history = dispatcher.history();
        for (long offset = epoch + 1; offset < dispatcher.nextOffset(); offset++) {
            history.restoreAt(offset).filter(ControlHistory.RestoreVerdict::counts)
                    .filter(v -> v.epoch() > awaitingRestoreAfter) // one it applied before it lost its state: not again
                    .ifPresent(v -> pendingRestores.put(v.epoch(), v));
        }
        abortForgotten();
        if (fresh && !pendingRestores.isEmpty()) {
            log.info("{}: no previous run here; takes up the restore(s) at {} read before its join", processId,
                    pendingRestores.keySet());
        }
        loadNextRestore();
        endStep();
    }

    /**
     * A process that ran before and lost its state directory cannot take part in the snapshots triggered before its
     * join that are still under way: it aborts those it was a member of, so that nobody waits for it.
     */
    private void abortForgotten() {
        ControlHistory history = dispatcher.history();
        long ranBefore = history.firstJoin(processId).orElse(Long.MAX_VALUE);
        if (!fresh || ranBefore >= dispatcher.nextOffset() - 1) {
            return;
        }
        long now = time.millis();
        history.snapshotsSince(now - settings.snapshotTimeoutMs()).forEach((snapshot, members) -> {
            if (members.contains(processId)) {
                snapshots.announceAbort(snapshot, AbortReason.RESTARTED_DURING_SNAPSHOT, processId + " lost its"
                        + " state directory and started again after this snapshot was triggered");
            }
        });
    }

    // ---- steps -----------------------------------------------------------------------------------------------

    /** A record of an incoming channel, within the current step. */
    public void onChannelRecord(InputRecord record) {
        input.accept(record);
        runLater();
    }

    /** A record of the control topic, within the current step. */
    public void onControlRecord(long offset, long timestamp, byte[] value) {
        dispatcher.dispatch(offset, timestamp, value);
        runLater();
    }

    /** Due timers, snapshot timeouts, a due status report and a due retry of a restore's lookup. */
    public void tick() throws Exception {
        long now = time.nanos();
        snapshots.abortOverdue(now);
        if (protocol != null) {
            snapshots.captureAligned(now);
        }
        if (now - statusDue >= 0) {
            reportStatus();
        }
        if (retryLoad && now - retryLoadAt >= 0) {
            retryLoad = false;
            ports.snapshots().load(restoreControl(loading));
        }
        for (int i = 0; i < settings.timers().size() && !isAwaitingRestore(); i++) {
            long[] due = timerDue.get(i);
            if (now - due[0] >= 0) {
                Periodic timer = settings.timers().get(i);
                due[0] = now + timer.period().toNanos();
                runTask(timer.task(), "a timer task");
            }
        }
        runLater();
    }

    /** Ends the step: the one commit, then the step's sends go out. */
    public void endStep() {
        steps.commit();
        if (input != null) {
            input.endStep();
        }
    }

    /**
     * Whether the shell should wake the loop for an acknowledgement as it comes; if not, the next step takes it with
     * whatever woke that step. Asked after each step, so it covers the markers that step handed to the producer.
     */
    public boolean awaitsAcknowledgements() {
        return outbox.awaitsAcknowledgements();
    }

    /** Whether the shell must stop taking input until acknowledgements free the outbox. */
    public boolean isFull() {
        return outbox.isFull(steps.pendingSends());
    }

    /**
     * Nanoseconds until the next timer, status report or lookup retry is due; at most {@code max}. Zero while the
     * step holds sends (a timer's, say): they leave only once the step commits, so the shell must not wait for input
     * first.
     */
    public long nanosUntilDue(long max) {
        // What waits for the commit (sends, a fragment to publish) should not also wait for the poll.
        if (steps.pendingSends() > 0 || steps.hasAfterCommit()) {
            return 0;
        }
        long now = time.nanos();
        long wait = Math.min(max, statusDue - now);
        for (long[] due : timerDue) {
            wait = Math.min(wait, due[0] - now);
        }
        if (retryLoad) {
            wait = Math.min(wait, retryLoadAt - now);
        }
        wait = snapshots.nanosUntilAlignmentDue(now, wait);
        return Math.max(0, wait);
    }

    // ---- events ----------------------------------------------------------------------------------------------

    public void onSendAcknowledged(long entryId, long attempt, long offset) {
        outbox.onAcknowledged(entryId, attempt, offset);
        runLater();
    }

    /** @param retriable whether sending again can succeed (the broker was away), or not (record too large) */
    public void onSendFailed(long entryId, long attempt, Exception cause, boolean retriable) {
        outbox.onFailed(entryId, attempt, cause, retriable);
        runLater();
    }

    public void onFragmentPublished(long snapshot, int chunks) {
        snapshots.published(snapshot, chunks);
        runLater();
    }

    public void onFragmentFailed(long snapshot, Throwable cause) {
        snapshots.publishFailed(snapshot, cause);
        runLater();
    }

    /** The control log wrote {@code record}. */
    public void onControlWritten(ControlRecord record) {
        if (record instanceof ControlRecord.Restored restored) {
            long[] pending = store.restoredPending();
            if (pending != null && pending[0] == restored.epoch()) {
                store.clearRestoredPending();
            }
        }
    }

    /** The snapshot of the restore at {@code restoreEpoch} is loaded: applied in this step, or void if refused. */
    public void onRestoreTargetLoaded(long restoreEpoch, RestoreTarget target) throws Exception {
        ControlHistory.RestoreVerdict verdict = pendingRestores.get(restoreEpoch);
        if (verdict == null || loading != restoreEpoch) {
            return;
        }
        if (target.missing().isPresent()) {
            loading = -1;
            if (pendingRestores.higherKey(restoreEpoch) != null) {
                // A later restore is pending: it wins whatever this one would have become.
                pendingRestores.remove(restoreEpoch);
                log.warn("{}: skipped the restore at control offset {} ({}): a later restore supersedes it",
                        processId, restoreEpoch, target.missing().get());
                loadNextRestore();
            } else {
                log.warn("{}: the restore at control offset {} waits: {}; looking again in {} ms", processId,
                        restoreEpoch, target.missing().get(), settings.restoreRetryMs());
                loading = restoreEpoch;
                retryLoad = true;
                retryLoadAt = time.nanos() + TimeUnit.MILLISECONDS.toNanos(settings.restoreRetryMs());
            }
            runLater();
            return;
        }
        pendingRestores.remove(restoreEpoch);
        loading = -1;
        if (target.refusal().isPresent()) {
            refusedRestores.add(restoreEpoch);
            log.error("{}: the restore at control offset {} to snapshot {} is void: {}; every node finds the same,"
                    + " nothing changes", processId, restoreEpoch, verdict.snapshot(), target.refusal().get());
            input.recheckHeld(protocol.positions());
        } else if (restoreEpoch > epoch) {
            restorer.apply(verdict, target);
            if (isAwaitingRestore()) {
                awaitingRestoreAfter = -1;
                store.putAwaitingRestore(-1);
                Map<String, Long> positions = protocol.positions();
                settings.incoming().forEach(channel -> ports.input().resume(channel, positions.get(channel)));
                log.info("{}: rebuilt from the restore at control offset {}; takes input again", processId,
                        restoreEpoch);
            }
            long snapshot = verdict.snapshot();
            steps.afterCommit(() -> ports.control().write(new ControlRecord.Restored(processId, restoreEpoch,
                    snapshot)));
            input.recheckHeld(protocol.positions());
            reportStatus();
        }
        loadNextRestore();
        runLater();
    }

    /** The lookup of a restore's snapshot failed (the collection topic could not be read): tried again later. */
    public void onRestoreTargetFailed(long restoreEpoch, Throwable cause) {
        if (loading != restoreEpoch) {
            return;
        }
        log.warn("{}: could not load the snapshot of the restore at control offset {} ({}); trying again in {} ms,"
                + " records of its epoch wait", processId, restoreEpoch, cause.toString(), settings.restoreRetryMs());
        retryLoad = true;
        retryLoadAt = time.nanos() + TimeUnit.MILLISECONDS.toNanos(settings.restoreRetryMs());
    }

    // ---- stop ------------------------------------------------------------------------------------------------

    /** At a clean stop: what is still recording here cannot finish; tell the members and commit. */
    public void stop() {
        snapshots.abortRecording(AbortReason.NODE_STOPPED, processId + " stopped");
        endStep();
    }

    /** Releases captures still held; after the fragment sink has stopped, before the store closes. */
    public void releaseCaptures() {
        snapshots.releaseCaptures();
    }

    // ---- what the shell shows --------------------------------------------------------------------------------

    public long epoch() {
        return epoch;
    }

    public int outboxDepth() {
        return outbox.depth();
    }

    public Set<Long> inFlight() {
        return snapshots.inFlight();
    }

    public Map<String, Long> positions() {
        return protocol == null ? Map.of() : protocol.positions();
    }

    /** The epochs of restores that count, read and not yet applied here. */
    public Set<Long> pendingRestores() {
        return Set.copyOf(pendingRestores.keySet());
    }

    /** Incoming channels held until this node enters the epoch of their next record. */
    public Map<String, Long> heldChannels() {
        return input == null ? Map.of() : input.held();
    }

    // ---- inside ----------------------------------------------------------------------------------------------

    private void reportStatus() {
        statusDue = time.nanos() + TimeUnit.MILLISECONDS.toNanos(settings.statusIntervalMs());
        ports.status().report(time.millis(), epoch, positions(), outbox.depth(), snapshots.inFlight());
    }

    private void loadNextRestore() {
        if (loading >= 0 || pendingRestores.isEmpty()) {
            return;
        }
        var next = pendingRestores.firstEntry();
        if (next.getKey() <= epoch) {
            pendingRestores.remove(next.getKey());
            loadNextRestore();
            return;
        }
        loading = next.getKey();
        log.info("{}: the restore at control offset {} to snapshot {} counts ({}); loading the snapshot, input goes"
                + " on meanwhile", processId, next.getKey(), next.getValue().snapshot(),
                restorer.partIn(next.getValue()).says);
        ports.snapshots().load(restoreControl(next.getKey()));
    }

    /** A restore that counts has a trigger before it in the history: the lookup takes it from there. */
    private ControlHistory.RestoreControl restoreControl(long epoch) {
        return dispatcher.history().restoreControl(epoch).orElseThrow(() -> new IllegalStateException(
                "the restore at control offset " + epoch + " counts, yet the history has no trigger of its snapshot"));
    }

    private void runTask(NodeTask task, String what) {
        steps.mark();
        try {
            task.run(context);
            steps.release();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            steps.rollback();
            input.countHandlerFailure();
            log.error("{}: {} failed; its state changes and sends were undone", processId, what, e);
        }
    }

    private void runLater() {
        Runnable task;
        while ((task = later.poll()) != null) {
            task.run();
        }
    }

    private final class LoopPort implements SnapshotSteps.Loop {
        @Override
        public void later(Runnable task) {
            later.add(task);
        }

        @Override
        public SnapshotProtocol protocol() {
            return protocol;
        }

        @Override
        public InputRecord current() {
            return input.current();
        }

        @Override
        public String startingEvent() {
            return handingTrigger ? Timeline.TRIGGER : Timeline.MARKER;
        }

        @Override
        public void hold(String channel) {
            input.holdForAlignment(channel);
        }

        @Override
        public void release(String channel) {
            input.releaseFromAlignment(channel, protocol.positions().get(channel));
        }

        @Override
        public boolean memberOfRecent(long snapshot) {
            return dispatcher.history().snapshotsSince(time.millis() - settings.snapshotTimeoutMs())
                    .getOrDefault(snapshot, Set.of()).contains(processId);
        }
    }

    private final class OutboxEvents implements Outbox.Events {
        @Override
        public void markerAcknowledged(long snapshot, String channel, long offset) {
            later.add(() -> {
                snapshots.markerAcknowledged(snapshot);
                protocol.onMarkerSent(snapshot, channel, offset);
            });
        }

        @Override
        public void permanentFailure(String channel, Exception cause) {
            throw new IllegalStateException("sending on channel " + channel + " failed for good (" + cause
                    + "); the record stays in the outbox and is sent again at restart, so the channel has no gap",
                    cause);
        }
    }

    private final class EpochsPort implements ChannelInput.Epochs {
        @Override
        public long current() {
            return epoch;
        }

        @Override
        public ChannelInput.EpochVerdict ahead(long candidate) {
            if (candidate >= dispatcher.nextOffset()) {
                return ChannelInput.EpochVerdict.WAIT; // the control topic is not read that far yet
            }
            boolean counts = dispatcher.history().restoreAt(candidate)
                    .map(ControlHistory.RestoreVerdict::counts).orElse(false);
            return counts && !refusedRestores.contains(candidate) ? ChannelInput.EpochVerdict.WAIT
                    : ChannelInput.EpochVerdict.NO_SUCH_EPOCH;
        }
    }

    private final class ControlActions implements ControlDispatcher.Actions {
        @Override
        public void trigger(long snapshot, Optional<String> initiator, Set<String> awaited, long triggeredAt) {
            if (isAwaitingRestore()) {
                snapshots.announceAbort(snapshot, AbortReason.RESTARTED_DURING_SNAPSHOT, processId + " lost its state"
                        + " directory and waits for a restore");
                return;
            }
            long age = time.millis() - triggeredAt;
            if (age > settings.snapshotTimeoutMs()) {
                // Read late (after a long stop, or this node's clock is ahead): its members may have given it up.
                // Said on the control topic, so that nobody waits for this node.
                String detail = processId + " read the trigger " + age + " ms after it was written, past the"
                        + " snapshot timeout of " + settings.snapshotTimeoutMs() + " ms";
                log.warn("{}: snapshot {}: {}; not taking part", processId, snapshot, detail);
                snapshots.giveUp(snapshot, AbortReason.TIMED_OUT, detail);
                return;
            }
            handingTrigger = true;
            try {
                protocol.onTrigger(snapshot, initiator.orElse(null), awaited);
            } finally {
                handingTrigger = false;
            }
        }

        @Override
        public void notAMember(long snapshot) {
            if (protocol.onNotAMember(snapshot)) {
                // A marker started it before the trigger was read, which says this node had left by then.
                snapshots.discard(snapshot);
            }
        }

        @Override
        public void aborted(ControlRecord.Abort abort) {
            snapshots.aborted(abort);
        }

        @Override
        public void restore(ControlHistory.RestoreVerdict verdict) {
            if (broken.contains(BrokenVariant.RESTORE_ONE_MEMBER_ONLY)
                    && !verdict.members().isEmpty() && !verdict.members().iterator().next().equals(processId)) {
                return;
            }
            if (broken.contains(BrokenVariant.DECIDE_RESTORE_LOCALLY) && !verdict.members().isEmpty()) {
                boolean member = verdict.members().contains(processId);
                if (!member && !verdict.allowNewMembers() && verdict.newMembers().contains(processId)) {
                    return;
                }
                verdict = new ControlHistory.RestoreVerdict(verdict.epoch(), verdict.snapshot(), true,
                        verdict.members(), verdict.newMembers(), Optional.empty());
            }
            if (!verdict.counts()) {
                log.error("{}: the restore at control offset {} to snapshot {} is void: {}; every node finds the"
                        + " same, nothing changes", processId, verdict.epoch(), verdict.snapshot(),
                        verdict.voidReason().get());
                return;
            }
            pendingRestores.put(verdict.epoch(), verdict);
            loadNextRestore();
        }

        @Override
        public void advanced() {
            if (input != null && !input.held().isEmpty()) {
                input.recheckHeld(protocol.positions());
            }
        }
    }

    private final class RestorePort implements RestoreStep.Engine {
        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void enterEpoch(long newEpoch) {
            epoch = newEpoch;
            store.putEpoch(newEpoch);
        }

        @Override
        public void handle(IncomingRecord record) {
            input.handle(record, "the restored snapshot's recorded message ");
        }

        @Override
        public void runOnStart() throws Exception {
            for (NodeTask task : settings.onStart()) {
                task.run(context);
            }
        }

        @Override
        public void restored(Restore restore) {
            RestoreListener listener = restoreListener;
            if (listener != null) {
                runTask(ctx -> listener.onRestore(ctx, restore), "the restore listener (" + restore + ")");
            }
        }
    }
}
