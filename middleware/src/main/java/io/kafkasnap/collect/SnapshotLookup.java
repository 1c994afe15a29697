package io.kafkasnap.collect;

import io.kafkasnap.format.Membership;

import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.KafkaChannelLog;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.kafka.TopicScan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds one snapshot without assembling every other: reads the control topic up to a given offset (membership at
 * the trigger, aborts), then the collection topic from about the trigger's time on, keeping only that snapshot's
 * chunks, and assembles and checks it. Memory holds one snapshot's fragments, whatever the topics' history; this is
 * what a restore reads, at the CLI before writing it and at every node before applying it.
 */
public final class SnapshotLookup {

    /** Producers' clocks may run behind the broker's; start this much before the trigger's timestamp. */
    private static final long CLOCK_SKEW_MARGIN_MS = Pruning.CLOCK_SKEW_MARGIN_MS;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private SnapshotLookup() {
    }

    /**
     * @param controlEnd read the control topic below this offset only (a restore at offset E looks at what came
     *                   before it, so every node sees the same answer)
     * @return the assembled and checked snapshot (its status says whether it can be restored; its states and channels
     *     hold the exact bytes, see {@link ValueCodec}); empty if {@code snapshot} is not the offset of a trigger
     *     below {@code controlEnd}
     * @throws KafkaException if a topic cannot be read within a minute
     */
    public static Optional<GlobalSnapshot> find(Properties clientProperties, String controlTopic, String collectionTopic,
                                       long snapshot, long controlEnd) {
        return find(clientProperties, controlTopic, collectionTopic, snapshot, controlEnd, true);
    }

    /**
     * As {@link #find(Properties, String, String, long, long)}; without {@code checkChannels} rules 1–3 are not
     * checked against the channels (the result says {@code checked: false}), which needs no access to them: a node
     * applying a restore relies on the check the restore's writer made.
     */
    public static Optional<GlobalSnapshot> find(Properties clientProperties, String controlTopic, String collectionTopic,
                                       long snapshot, long controlEnd, boolean checkChannels) {
        Membership membership = new Membership();
        // The trigger of the snapshot (with its members) and the first abort of it, as the control topic is read.
        Membership.SnapshotStart[] found = {null};
        ControlRecord.Abort[] aborted = {null};
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(clientProperties)) {
            TopicPartition control = new TopicPartition(controlTopic, 0);
            long end = Math.min(controlEnd, consumer.endOffsets(List.of(control)).get(control));
            if (snapshot >= end) {
                return Optional.empty();
            }
            consumer.assign(List.of(control));
            consumer.seekToBeginning(List.of(control));
            TopicScan.readUpTo(consumer, control, end, TIMEOUT, record -> {
                ControlRecord parsed;
                try {
                    parsed = ControlRecord.parse(record.value());
                } catch (MalformedControlRecordException | RuntimeException e) {
                    return;
                }
                Optional<Membership.SnapshotStart> started = membership.accept(record.offset(), record.timestamp(),
                        parsed);
                if (started.isPresent() && record.offset() == snapshot) {
                    found[0] = started.get();
                } else if (parsed instanceof ControlRecord.Abort a && a.snapshot() == snapshot && aborted[0] == null) {
                    aborted[0] = a;
                }
            });
            Membership.SnapshotStart start = found[0];
            ControlRecord.Abort abort = aborted[0];
            if (start == null) {
                return Optional.empty();
            }

            TopicPartition collection = new TopicPartition(collectionTopic, 0);
            consumer.assign(List.of(collection));
            Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(
                    Map.of(collection, Math.max(0, start.triggeredAt() - CLOCK_SKEW_MARGIN_MS)));
            long collectionEnd = consumer.endOffsets(List.of(collection)).get(collection);
            long logStart = consumer.beginningOffsets(List.of(collection)).get(collection);
            OffsetAndTimestamp first = from.get(collection);
            // Nothing left on the topic from before the trigger: the records before the start offset, deleted, may
            // have held its fragments (see Pruning).
            boolean maybePruned = logStart > 0 && (first == null ? logStart >= collectionEnd : first.offset() <= logStart);
            if (first == null) {
                consumer.seek(collection, collectionEnd);
            } else {
                consumer.seek(collection, first.offset());
            }
            String prefix = snapshot + "/";
            try (KafkaChannelLog channels = new KafkaChannelLog(clientProperties)) {
                ChannelLog log = checkChannels ? channels : ChannelLog.unread("channels are not read here");
                Assembler assembler = new Assembler(new ConsistencyChecker(log), Duration.ZERO);
                assembler.onSnapshotStart(start);
                if (abort != null) {
                    assembler.onAbort(abort);
                }
                TopicScan.readUpTo(consumer, collection, collectionEnd, TIMEOUT, record -> {
                    if (record.key() != null && new String(record.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                        assembler.onFragmentRecord(record);
                    }
                });
                List<GlobalSnapshot> ready = new ArrayList<>(assembler.ready(end));
                if (ready.isEmpty()) {
                    // Read to the end and still not every fragment: as far as a restore is concerned, it timed out,
                    // or its fragments were deleted.
                    GlobalSnapshot missing = assembler.expire(Long.MAX_VALUE).get(0);
                    return Optional.of(maybePruned && missing.status() == GlobalSnapshot.Status.TIMED_OUT
                            ? Pruning.pruned(missing, collectionTopic, logStart) : missing);
                }
                return Optional.of(ready.get(0));
            }
        }
    }
}
