package io.kafkasnap.collect;

import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.Membership;

import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
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

    /** What a prune did. */
    public record Pruned(long deletedBefore, Set<Long> kept, Set<Long> deleted, Set<Long> protectedByRestores) {
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
        ChannelLog unread = (topic, from, to) -> {
            throw new ChannelLog.ChannelLogException("channels are not read to prune");
        };
        Assembler assembler = new Assembler(new ConsistencyChecker(unread), Duration.ofDays(3650));
        Membership membership = new Membership();
        TreeMap<Long, Long> restores = new TreeMap<>();            // epoch -> snapshot
        Map<Long, Set<String>> expected = new HashMap<>();         // epoch -> members when it was written
        Map<Long, Set<String>> restored = new HashMap<>();
        long[] controlEnd = {0};
        scan(props, controlTopic, record -> {
            controlEnd[0] = record.offset() + 1;
            ControlRecord parsed;
            try {
                parsed = ControlRecord.parse(record.value());
            } catch (MalformedControlRecordException | RuntimeException e) {
                return;
            }
            membership.accept(record.offset(), record.timestamp(), parsed).ifPresent(assembler::onSnapshotStart);
            if (parsed instanceof ControlRecord.Abort abort) {
                assembler.onAbort(abort);
            } else if (parsed instanceof ControlRecord.Restore restore) {
                restores.put(record.offset(), restore.snapshot());
                expected.put(record.offset(), new TreeSet<>(membership.members().keySet()));
            } else if (parsed instanceof ControlRecord.Restored r) {
                restored.computeIfAbsent(r.epoch(), e -> new TreeSet<>()).add(r.process());
            }
        });
        Map<Long, Long> firstOffset = new HashMap<>();
        Map<Long, Long> lastOffset = new HashMap<>();
        TreeSet<Long> complete = new TreeSet<>();
        scan(props, collectionTopic, record -> {
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
        long cut = needed.stream().map(firstOffset::get).filter(o -> o != null).min(Long::compare)
                .orElseThrow(() -> new IllegalStateException("the snapshots to keep " + needed + " have no"
                        + " fragment on " + collectionTopic + "; nothing deleted"));
        Set<Long> deleted = new TreeSet<>();
        lastOffset.forEach((snapshot, last) -> {
            if (last < cut) {
                deleted.add(snapshot);
            }
        });
        if (!dryRun && cut > 0) {
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
        return new Pruned(cut, kept, deleted, protectedIds);
    }

    private static void scan(Properties props, String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        TopicScan.readAll(props, topic, TIMEOUT, sink);
    }
}
