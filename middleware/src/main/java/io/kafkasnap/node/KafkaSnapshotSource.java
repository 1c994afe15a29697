package io.kafkasnap.node;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotLookup;
import io.kafkasnap.engine.RestoreTarget;
import io.kafkasnap.engine.SnapshotSource;
import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.ValueCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Finds a restore's snapshot on the collection topic, on a thread of its own, so the node keeps taking input while
 * it reads: the snapshot as the control topic up to the restore's offset has it (the same answer at every node; the
 * engine hands over what it read of the control topic, which is not read again here), and this node's part of it,
 * read from where the restore record says each fragment begins (see {@link SnapshotLookup}). The channels are not
 * read again either: the restore's writer checked them.
 */
final class KafkaSnapshotSource implements SnapshotSource, AutoCloseable {

    interface Outcome {
        void loaded(long epoch, RestoreTarget target);

        void failed(long epoch, Throwable cause);
    }

    private final String processId;
    private final Set<String> incoming;
    private final Properties kafka = new Properties();
    private final String collectionTopic;
    private final Outcome outcome;
    private final ExecutorService worker;

    KafkaSnapshotSource(String processId, Set<String> incoming, Map<String, Object> kafka, String collectionTopic,
                        Outcome outcome) {
        this.processId = processId;
        this.incoming = incoming;
        this.kafka.putAll(kafka);
        this.collectionTopic = collectionTopic;
        this.outcome = outcome;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kafkasnap-" + processId + "-restore");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void load(ControlHistory.RestoreControl restore) {
        worker.execute(() -> {
            try {
                outcome.loaded(restore.epoch(), targetOf(processId, incoming,
                        SnapshotLookup.forRestore(kafka, collectionTopic, restore)));
            } catch (Throwable t) {
                outcome.failed(restore.epoch(), t);
            }
        });
    }

    /** This node's part of {@code target}, or why it cannot be restored (now, or ever). */
    static RestoreTarget targetOf(String processId, Set<String> incoming, GlobalSnapshot target) {
        long snapshot = target.snapshot();
        String status = "the snapshot is " + target.status().wire() + " (" + target.reason() + ": "
                + target.detail() + ")";
        switch (target.status()) {
            case COMPLETE, INCONSISTENT -> {
                if (!target.consistency().violations().isEmpty() || target.status() != GlobalSnapshot.Status.COMPLETE) {
                    return RestoreTarget.refused(snapshot, status + "; only a consistent snapshot can be restored");
                }
            }
            case FAILED -> {
                // Decided by the control topic before the restore (an abort, no members): the same everywhere.
                return RestoreTarget.refused(snapshot, status + "; a failed snapshot cannot be restored");
            }
            default -> {
                return RestoreTarget.notYet(snapshot, status);
            }
        }
        Map<String, byte[]> state = new HashMap<>();
        target.process(processId).ifPresent(p -> p.state()
                .forEach((key, value) -> state.put(key, ValueCodec.fromJson(value))));
        Map<String, List<IncomingRecord>> recorded = new HashMap<>();
        target.channels().forEach((channel, channelState) -> {
            if (!processId.equals(channelState.to()) || !incoming.contains(channel)) {
                return;
            }
            List<IncomingRecord> messages = new ArrayList<>();
            for (Fragment.Message message : channelState.messages()) {
                RecordHeaders headers = new RecordHeaders();
                message.headerBytes().forEach(h -> headers.add(h.getKey(), h.getValue()));
                messages.add(new IncomingRecord(channel, message.offset(), message.keyBytes(), message.valueBytes(),
                        message.timestamp(), headers));
            }
            recorded.put(channel, messages);
        });
        return RestoreTarget.restorable(snapshot, Set.copyOf(target.members()), state, recorded);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
