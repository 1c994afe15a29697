package io.kafkasnap.collect;

import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.Membership;

import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Deletes old fragments from the collection topic, which is created to keep them for good (they are the restore
 * points): keeps the newest complete snapshots and every later record, and never deletes a snapshot that a restore
 * still needs (the latest restore's, which a node that lost its state reads at start, and any restore not every
 * member has applied yet). Kafka deletes from the start of a partition only ({@code deleteRecords}), so what goes is
 * everything before the first chunk of the oldest snapshot kept.
 */
public final class Retention {

    /**
     * What a prune did.
     *
     * @param deletedBefore       the collection topic's records before this offset are deleted (or would be)
     * @param kept                the newest complete snapshots kept, at most {@code keep}
     * @param deleted             the snapshots whose every fragment record lay before {@code deletedBefore}
     * @param protectedByRestores snapshots kept because a restore needs them: the latest restore's, and any restore's
     *                            that not every member has applied
     * @param alsoKept            snapshots that stay because their fragments lie from {@code deletedBefore} on
     *                            (Kafka deletes a prefix only): later ones that are not complete, and older ones
     *                            interleaved with or after a snapshot kept
     * @param startOffset         the collection topic's start offset before this prune: nothing to delete when
     *                            {@code deletedBefore} is not beyond it
     */
    public record Pruned(long deletedBefore, Set<Long> kept, Set<Long> deleted, Set<Long> protectedByRestores,
                         Set<Long> alsoKept, long startOffset) {

        /** As the prune of an earlier version reported it, before {@code alsoKept} and {@code startOffset}. */
        public Pruned(long deletedBefore, Set<Long> kept, Set<Long> deleted, Set<Long> protectedByRestores) {
            this(deletedBefore, kept, deleted, protectedByRestores, Set.of(), 0);
        }
    }

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private Retention() {
    }

    /**
     * @param keep how many of the newest complete snapshots to keep, at least 1
     * @param dryRun say what would go, delete nothing
     * @throws IllegalArgumentException if {@code keep} is below 1
     * @throws IllegalStateException if the topics hold no complete snapshot: then nothing is deleted
     */
    public static Pruned prune(Properties props, String controlTopic, String collectionTopic, int keep,
                               boolean dryRun) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one complete snapshot, got " + keep);
        }
        // Prune asks only whether every member's fragment arrived intact and nobody aborted: it reads no channel
        // (it may run without access to them), so the members' channels are left out of what the checker sees, and
        // the verdicts are not logged one by one.
        try (KafkaFragmentSource bases = new KafkaFragmentSource(props, collectionTopic)) {
            return prune(props, controlTopic, collectionTopic, keep, dryRun, bases);
        }
    }

    private static Pruned prune(Properties props, String controlTopic, String collectionTopic, int keep,
                                boolean dryRun, FragmentChains.Source bases) {
        ChannelLog unread = ChannelLog.unread("channels are not read to prune");
        Assembler assembler = new Assembler(new ConsistencyChecker(unread), Duration.ofDays(3650), bases).quiet();
        Membership membership = new Membership();
        TreeMap<Long, Long> restores = new TreeMap<>();            // epoch -> snapshot
        Map<Long, Set<String>> expected = new HashMap<>();         // epoch -> members when it was written
        Map<Long, Set<String>> restored = new HashMap<>();
        long[] controlEnd = {0};
        scan(props, controlTopic, record -> {
            controlEnd[0] = record.offset() + 1;
            Optional<ControlRecord> read = ControlRecords.parse(controlTopic, record.offset(), record.value());
            if (read.isEmpty()) {
                return;
            }
            ControlRecord parsed = read.get();
            membership.accept(record.offset(), record.timestamp(), parsed).map(Retention::withoutChannels)
                    .ifPresent(assembler::onSnapshotStart);
            if (parsed instanceof ControlRecord.Abort abort) {
                assembler.onAbort(abort);
            } else if (parsed instanceof ControlRecord.Restore restore) {
                restores.put(record.offset(), restore.snapshot());
                expected.put(record.offset(), new TreeSet<>(membership.members().keySet()));
            } else if (parsed instanceof ControlRecord.Restored r) {
                restored.computeIfAbsent(r.epoch(), e -> new TreeSet<>()).add(r.process());
            }
        });
        long[] startOffset = {-1};
        Map<Long, Long> firstOffset = new HashMap<>();
        Map<Long, Long> lastOffset = new HashMap<>();
        TreeSet<Long> complete = new TreeSet<>();
        scan(props, collectionTopic, record -> {
            if (startOffset[0] < 0) {
                startOffset[0] = record.offset();
            }
            if (record.key() != null) {
                FragmentKey.parse(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)).ifPresent(k -> {
                    firstOffset.putIfAbsent(k.snapshot(), record.offset());
                    lastOffset.put(k.snapshot(), record.offset());
                });
            }
            assembler.onFragmentRecord(record);
            for (GlobalSnapshot s : assembler.ready(controlEnd[0])) {
                if (s.status() == GlobalSnapshot.Status.COMPLETE) {
                    complete.add(s.snapshot());
                }
            }
        });
        if (complete.isEmpty()) {
            throw new IllegalStateException("no complete snapshot on " + collectionTopic + "; nothing deleted");
        }
        Set<Long> protectedIds = new TreeSet<>();
        if (!restores.isEmpty()) {
            protectedIds.add(restores.lastEntry().getValue());
        }
        restores.forEach((epoch, snapshot) -> {
            if (!restored.getOrDefault(epoch, Set.of()).containsAll(expected.get(epoch))) {
                protectedIds.add(snapshot);
            }
        });
        Set<Long> kept = new TreeSet<>(complete.descendingSet().stream().limit(keep).toList());
        Set<Long> needed = new TreeSet<>(kept);
        needed.addAll(protectedIds);
        // An incremental fragment needs its chain of bases, back to the full fragment it starts from.
        long cut = needed.stream().map(id -> firstOffset.containsKey(id)
                        ? Math.min(firstOffset.get(id), assembler.chainStart(id)) : null)
                .filter(o -> o != null).min(Long::compare)
                .orElseThrow(() -> new IllegalStateException("the snapshots to keep " + needed + " have no"
                        + " fragment on " + collectionTopic + "; nothing deleted"));
        Set<Long> deleted = new TreeSet<>();
        Set<Long> alsoKept = new TreeSet<>();
        lastOffset.forEach((snapshot, last) -> {
            if (last < cut) {
                deleted.add(snapshot);
            } else if (!needed.contains(snapshot)) {
                alsoKept.add(snapshot);
            }
        });
        long start = Math.max(0, startOffset[0]);
        if (!dryRun && cut > start) {
            try (Admin admin = Admin.create(props)) {
                admin.deleteRecords(Map.of(new TopicPartition(collectionTopic, 0), RecordsToDelete.beforeOffset(cut)))
                        .all().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted deleting records of " + collectionTopic, e);
            } catch (ExecutionException e) {
                throw new KafkaException("cannot delete records of " + collectionTopic + " before offset " + cut
                        + ": " + e.getCause().getMessage(), e.getCause());
            }
        }
        return new Pruned(cut, kept, deleted, protectedIds, alsoKept, start);
    }

    /** The snapshot start with its members' channels left out: the checker then reads and checks no channel. */
    private static Membership.SnapshotStart withoutChannels(Membership.SnapshotStart start) {
        Map<String, ControlRecord.Join> members = new TreeMap<>();
        start.members().forEach((process, join) -> members.put(process,
                new ControlRecord.Join(process, java.util.List.of(), java.util.List.of())));
        return new Membership.SnapshotStart(start.snapshot(), start.triggeredAt(), start.initiator(), members);
    }

    private static void scan(Properties props, String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        TopicScan.readAll(props, topic, TIMEOUT, sink);
    }
}
