package io.kafkasnap.node;

import io.kafkasnap.api.IncomingRecord;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotLookup;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.store.NodeStore;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls this node back to a snapshot, in one step (DESIGN.md, "Restore"): in-flight snapshots are aborted, the
 * outbox is dropped, the state becomes the snapshot's byte for byte, the node enters the restore's epoch with a fence
 * on every outgoing channel, and the handler is given the snapshot's recorded messages of every incoming channel
 * before anything else. Each incoming channel then skips the old epoch until its sender's fence. The snapshot is read
 * from the collection topic, and checked: a restore to a snapshot that is not complete changes nothing.
 */
final class RestoreStep {

    /** What the restore needs of the runtime. */
    interface Runtime {
        long epoch();

        /** Sets the node's epoch, in memory and in the step's batch. */
        void enterEpoch(long epoch);

        /** Gives the handler one record, as an app record is given, its changes undone if it throws. */
        void handle(IncomingRecord record);

        /** Runs the onStart tasks: the initial state of a node that was not a member. */
        void runOnStart() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final Properties kafka;
    private final String controlTopic;
    private final String collectionTopic;
    private final NodeStore store;
    private final StepRunner steps;
    private final ChannelSequences sequences;
    private final SnapshotSteps snapshots;
    private final OutboxDrainer drainer;
    private final Runtime runtime;

    RestoreStep(String processId, Set<String> incoming, Set<String> outgoing, Map<String, Object> kafka,
                String controlTopic, String collectionTopic, NodeStore store, StepRunner steps,
                ChannelSequences sequences, SnapshotSteps snapshots, OutboxDrainer drainer, Runtime runtime) {
        this.processId = processId;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.kafka = new Properties();
        this.kafka.putAll(kafka);
        this.controlTopic = controlTopic;
        this.collectionTopic = collectionTopic;
        this.store = store;
        this.steps = steps;
        this.sequences = sequences;
        this.snapshots = snapshots;
        this.drainer = drainer;
        this.runtime = runtime;
    }

    /**
     * Applies the restore record at control offset {@code epoch}, within the current step.
     *
     * @param joinedLater this node read the restore while catching up at start: it joined after the restore, so
     *                    if it is no member of the snapshot it is a new one and keeps its own state
     * @return whether the node is now in {@code epoch}; false when the restore was refused here (logged)
     */
    boolean apply(long epoch, long snapshot, boolean allowNewMembers, boolean joinedLater) throws Exception {
        if (epoch <= runtime.epoch()) {
            return false;
        }
        String what = "the restore at control offset " + epoch + " to snapshot " + snapshot;
        Optional<GlobalSnapshot> found = SnapshotLookup.find(kafka, controlTopic, collectionTopic, snapshot, epoch,
                false);
        if (found.isEmpty()) {
            log.error("{}: ignored {}: control offset {} is not a snapshot trigger; nothing changes", processId, what,
                    snapshot);
            return false;
        }
        GlobalSnapshot target = found.get();
        if (target.status() != GlobalSnapshot.Status.COMPLETE || !target.consistency().violations().isEmpty()) {
            log.error("{}: ignored {}: the snapshot is {} ({}: {}); only a complete snapshot can be restored;"
                    + " nothing changes", processId, what, target.status().wire(), target.reason(), target.detail());
            return false;
        }
        boolean member = target.members().contains(processId);
        if (!member && !allowNewMembers && !joinedLater) {
            log.error("{}: refused {}: it is not one of the snapshot's members {}; a restore with allowNewMembers"
                    + " starts it from its initial state; nothing changes here", processId, what, target.members());
            return false;
        }

        snapshots.abortAll(AbortReason.RESTORED, processId + " applied " + what);
        steps.discardPending();
        store.clearOutbox();
        drainer.discardAll();
        if (member) {
            store.clearState();
            target.process(processId).orElseThrow().state()
                    .forEach((key, value) -> store.put(key, ValueCodec.fromJson(value)));
        } else if (!joinedLater) {
            store.clearState();
            runtime.runOnStart();
        }
        runtime.enterEpoch(epoch);
        incoming.forEach(channel -> sequences.enterEpoch(channel, epoch));
        outgoing.forEach(steps::sendFence);
        int replayed = 0;
        if (member) {
            for (Map.Entry<String, GlobalSnapshot.ChannelState> channel : target.channels().entrySet()) {
                if (!processId.equals(channel.getValue().to()) || !incoming.contains(channel.getKey())) {
                    continue;
                }
                for (Fragment.Message message : channel.getValue().messages()) {
                    RecordHeaders headers = new RecordHeaders();
                    message.headerBytes().forEach(h -> headers.add(h.getKey(), h.getValue()));
                    runtime.handle(new IncomingRecord(channel.getKey(), message.offset(), message.keyBytes(),
                            message.valueBytes(), message.timestamp(), headers));
                    replayed++;
                }
            }
        }
        store.putRestoredPending(epoch, snapshot);
        log.info("{}: applied {}: {}, {} recorded message(s) handed to the handler; now in epoch {}", processId,
                what, member ? "state of the snapshot put back" : joinedLater ? "not a member, joined later: own"
                        + " state kept" : "not a member: initial state", replayed, epoch);
        return true;
    }
}
