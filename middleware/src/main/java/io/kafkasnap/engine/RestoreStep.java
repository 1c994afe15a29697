package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.Restore;
import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.store.NodeStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls this node back to a snapshot, in one step (DESIGN.md, "Restore"): in-flight snapshots are aborted, the
 * outbox is dropped, the state becomes the snapshot's byte for byte (or the initial state, or stays, by the node's
 * part in the restore), the node enters the restore's epoch with a fence on every outgoing channel, and the handler is
 * given the snapshot's recorded messages of every incoming channel before anything else, right after the service's
 * restore listener. Each incoming channel then
 * skips the old epoch until its sender's fence.
 */
final class RestoreStep {

    /** This node's part in a restore that counts. */
    enum Part {
        /** A member of the snapshot: its state in the snapshot is put back. */
        MEMBER("state of the snapshot put back", Restore.Part.MEMBER),
        /** Joined after the snapshot and before the restore, which allows new members: starts from its initial state. */
        NEW_MEMBER("joined after the snapshot: initial state", Restore.Part.NEW_MEMBER),
        /** Neither: joined after the restore, or was away from the snapshot to the restore; keeps its own state. */
        OUTSIDER("not a member and not new: own state kept", Restore.Part.OUTSIDER);

        final String says;
        /** As the service's restore listener is told it. */
        final Restore.Part api;

        Part(String says, Restore.Part api) {
            this.says = says;
            this.api = api;
        }
    }

    /** What the restore needs of the engine. */
    interface Engine {
        long epoch();

        /** Sets the node's epoch, in memory and in the step's batch. */
        void enterEpoch(long epoch);

        /** Gives the handler one record, as an app record is given, its changes undone if it throws. */
        void handle(IncomingRecord record);

        /** Runs the onStart tasks: the initial state. */
        void runOnStart() throws Exception;

        /** Tells the service's restore listener, if any, its changes undone if it throws. */
        void restored(Restore restore);
    }

    private static final Logger log = LoggerFactory.getLogger(RestoreStep.class);

    private final String processId;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final NodeStore store;
    private final StepRunner steps;
    private final ChannelSequences sequences;
    private final SnapshotSteps snapshots;
    private final Outbox outbox;
    private final Engine engine;
    private final boolean brokenSkipsFence;

    RestoreStep(String processId, Set<String> incoming, Set<String> outgoing, NodeStore store, StepRunner steps,
                ChannelSequences sequences, SnapshotSteps snapshots, Outbox outbox, Engine engine,
                boolean brokenSkipsFence) {
        this.brokenSkipsFence = brokenSkipsFence;
        this.processId = processId;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.store = store;
        this.steps = steps;
        this.sequences = sequences;
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.engine = engine;
    }

    /** This node's part in the restore judged by {@code verdict}, from the control topic alone. */
    Part partIn(ControlHistory.RestoreVerdict verdict) {
        if (verdict.members().contains(processId)) {
            return Part.MEMBER;
        }
        return verdict.newMembers().contains(processId) ? Part.NEW_MEMBER : Part.OUTSIDER;
    }

    /**
     * Applies the restore within the current step. The target has been loaded and is restorable.
     */
    void apply(ControlHistory.RestoreVerdict verdict, RestoreTarget target) throws Exception {
        long epoch = verdict.epoch();
        Part part = partIn(verdict);
        String what = "the restore at control offset " + epoch + " to snapshot " + verdict.snapshot();
        snapshots.abortAll(AbortReason.RESTORED, processId + " applied " + what);
        steps.discardPending();
        store.clearOutbox();
        outbox.discardAll();
        // The epoch first, and the fences: whatever the node sends from here on (its onStart tasks as a new member
        // included) is of the new epoch and follows the fence on its channel.
        engine.enterEpoch(epoch);
        if (!brokenSkipsFence) {
            incoming.forEach(channel -> sequences.enterEpoch(channel, epoch));
        }
        outgoing.forEach(steps::sendFence);
        switch (part) {
            case MEMBER -> {
                store.clearState();
                target.state().forEach(store::put);
            }
            case NEW_MEMBER -> {
                store.clearState();
                engine.runOnStart();
            }
            case OUTSIDER -> {
            }
        }
        // The state is in place and the epoch entered: the service resets what lives outside the node before the
        // recorded messages reach its handler.
        engine.restored(new Restore(verdict.snapshot(), epoch, part.api));
        int replayed = 0;
        if (part == Part.MEMBER) {
            for (String channel : incoming) {
                for (IncomingRecord message : target.recorded().getOrDefault(channel, List.of())) {
                    engine.handle(message);
                    replayed++;
                }
            }
        }
        store.putRestoredPending(epoch, verdict.snapshot());
        log.info("{}: applied {}: {}, {} recorded message(s) handed to the handler; now in epoch {}", processId,
                what, part.says, replayed, epoch);
    }

}
