package io.kafkasnap.collect;

import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.Membership;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.kafka.KafkaChannelLog;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds one snapshot without assembling every other: reads the control topic up to a given offset (membership at
 * the trigger, aborts), then that snapshot's fragments on the collection topic, and assembles and checks it. Memory
 * holds one snapshot's fragments, whatever the topics' history; this is what a restore reads, at the CLI before
 * writing it and at every node before applying it.
 *
 * <p>Where the fragments are: a restore record written by {@link Restores} says where each member's fragment begins,
 * so a node applying it seeks straight there and reads only the snapshot's own records. Without that (a record written
 * by hand or by an older version), or when the offsets turn out wrong (deleted by a prune, another record there), the
 * lookup starts at the trigger's timestamp less a margin for producers' clocks and reads forward until every member's
 * fragment is found: bounded by the margin, not by the topic's length.
 *
 * <p>A node applying a restore has read the control topic up to it already; it hands over what its history says of
 * the snapshot, so it reads the collection topic only.
 */
public final class SnapshotLookup {

    private static final Logger log = LoggerFactory.getLogger(SnapshotLookup.class);

    /** Producers' clocks may run behind the broker's; start this much before the trigger's timestamp. */
    private static final long CLOCK_SKEW_MARGIN_MS = Pruning.CLOCK_SKEW_MARGIN_MS;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * A snapshot found, and where the fragment of each member began on the collection topic (the offset of its first
     * chunk; every member's when the snapshot is complete).
     *
     * @param membersAtEnd who had joined and not left where the control topic was read up to (empty when it was
     *                     not read here)
     */
    record Located(GlobalSnapshot snapshot, Map<String, Long> firstChunks, Set<String> membersAtEnd) {
    }

    private SnapshotLookup() {
    }

    /**
     * @param controlEnd read the control topic below this offset only (a restore at offset E looks at what came
     *                   before it, so every node sees the same answer)
     * @return the assembled and checked snapshot (its status says whether it can be restored; its states and channels
     *     hold the exact bytes, see {@link io.kafkasnap.format.ValueCodec}); empty if {@code snapshot} is not the
     *     offset of a trigger below {@code controlEnd}
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
        return locate(clientProperties, controlTopic, collectionTopic, snapshot, controlEnd, checkChannels)
                .map(Located::snapshot);
    }

    /** As {@link #find(Properties, String, String, long, long, boolean)}, with where each fragment began. */
    static Optional<Located> locate(Properties clientProperties, String controlTopic, String collectionTopic,
                                    long snapshot, long controlEnd, boolean checkChannels) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.boundedConsumer(clientProperties);
             KafkaFragmentSource bases = new KafkaFragmentSource(clientProperties, collectionTopic)) {
            Membership membership = new Membership();
            Optional<SnapshotControl.Found> found = SnapshotControl.read(consumer, controlTopic, snapshot, controlEnd,
                    false, TIMEOUT, membership);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            try (KafkaChannelLog channels = new KafkaChannelLog(clientProperties)) {
                ChannelLog log = checkChannels ? channels : ChannelLog.unread("channels are not read here");
                Located located = fromTrigger(consumer, collectionTopic, found.get(), new ConsistencyChecker(log),
                        bases);
                return Optional.of(new Located(located.snapshot(), located.firstChunks(),
                        Set.copyOf(membership.members().keySet())));
            }
        }
    }

    /**
     * The snapshot of the restore at control offset {@code epoch}, as a node applying it needs it (channels not read
     * again): from the fragment offsets the restore record carries when they check out, else as {@link #find} finds
     * it. Either way the answer is decided by the control topic below {@code epoch} and the fragments' bytes, so every
     * node reaches the same one.
     *
     * @return empty if {@code snapshot} is not the offset of a trigger below {@code epoch}
     * @throws KafkaException if a topic cannot be read within a minute
     */
    public static Optional<GlobalSnapshot> forRestore(Properties clientProperties, String controlTopic,
                                                      String collectionTopic, long snapshot, long epoch) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.boundedConsumer(clientProperties);
             KafkaFragmentSource bases = new KafkaFragmentSource(clientProperties, collectionTopic)) {
            // Both ends in one request: each request costs a round trip, and a restore waits for all of them. The
            // restore record at the epoch was written after its fragments, so this end is past them.
            TopicPartition controlPartition = new TopicPartition(controlTopic, 0);
            TopicPartition collection = new TopicPartition(collectionTopic, 0);
            Map<TopicPartition, Long> ends = consumer.endOffsets(List.of(controlPartition, collection));
            Optional<SnapshotControl.Found> read = SnapshotControl.read(consumer, controlTopic,
                    ends.get(controlPartition), snapshot, epoch, true, TIMEOUT);
            return read.map(found -> forRestore(consumer, collectionTopic, ends.get(collection), found,
                    bases));
        }
    }

    /**
     * As {@link #forRestore(Properties, String, String, long, long)}, for a node that has read the control topic up to
     * the restore already: what its history says of the snapshot ({@code control}) is what the control topic would
     * say, so only the collection topic is read, and the lookup's cost does not grow with the control topic.
     *
     * @throws KafkaException if the collection topic cannot be read within a minute
     */
    public static GlobalSnapshot forRestore(Properties clientProperties, String collectionTopic,
                                            ControlHistory.RestoreControl control) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.boundedConsumer(clientProperties);
             KafkaFragmentSource bases = new KafkaFragmentSource(clientProperties, collectionTopic)) {
            TopicPartition collection = new TopicPartition(collectionTopic, 0);
            long end = consumer.endOffsets(List.of(collection)).get(collection);
            return forRestore(consumer, collectionTopic, end, SnapshotControl.of(control), bases);
        }
    }

    /** @param collectionEnd the end of the collection topic, read after the restore record was written */
    private static GlobalSnapshot forRestore(KafkaConsumer<byte[], byte[]> consumer, String collectionTopic,
                                             long collectionEnd, SnapshotControl.Found found,
                                             FragmentChains.Source bases) {
        long snapshot = found.start().snapshot();
        long epoch = found.end();
        ConsistencyChecker checker = new ConsistencyChecker(ChannelLog.unread("channels are not read here"));
        Map<String, Long> offsets = found.restore().filter(r -> r.snapshot() == snapshot)
                .map(ControlRecord.Restore::fragments).orElse(Map.of());
        if (offsets.isEmpty()) {
            log.info("the restore at control offset {} says not where the fragments of snapshot {} are; looking"
                    + " from its trigger's time on", epoch, snapshot);
        } else {
            Optional<GlobalSnapshot> at = atOffsets(consumer, collectionTopic, collectionEnd, found, checker, offsets,
                    epoch, bases);
            if (at.isPresent()) {
                return at.get();
            }
        }
        return fromTrigger(consumer, collectionTopic, found, checker, bases).snapshot();
    }

    /** The snapshot read from where the restore record says its fragments begin; empty if that is wrong. */
    private static Optional<GlobalSnapshot> atOffsets(KafkaConsumer<byte[], byte[]> consumer, String collectionTopic,
                                                      long end, SnapshotControl.Found found,
                                                      ConsistencyChecker checker, Map<String, Long> offsets,
                                                      long epoch, FragmentChains.Source bases) {
        consumer.assign(List.of(new TopicPartition(collectionTopic, 0)));
        Assembler assembler = assembler(found, checker, bases);
        FragmentScan scan = new FragmentScan(consumer, collectionTopic, found.start().snapshot(),
                found.start().members().keySet(), assembler);
        Optional<String> wrong = scan.readAt(offsets, end, TIMEOUT);
        if (wrong.isPresent()) {
            log.warn("the fragment offsets of the restore at control offset {} cannot be used: {}; looking for the"
                    + " fragments of snapshot {} from its trigger's time on", epoch, wrong.get(),
                    found.start().snapshot());
            return Optional.empty();
        }
        return Optional.of(assembler.ready(found.end()).get(0));
    }

    /**
     * Reads the collection topic from the trigger's timestamp less the clock margin, until every member's fragment is
     * intact or up to the end the topic had when the read began.
     */
    private static Located fromTrigger(KafkaConsumer<byte[], byte[]> consumer, String collectionTopic,
                                       SnapshotControl.Found found, ConsistencyChecker checker,
                                       FragmentChains.Source bases) {
        TopicPartition collection = new TopicPartition(collectionTopic, 0);
        consumer.assign(List.of(collection));
        Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(
                Map.of(collection, Math.max(0, found.start().triggeredAt() - CLOCK_SKEW_MARGIN_MS)));
        long collectionEnd = consumer.endOffsets(List.of(collection)).get(collection);
        OffsetAndTimestamp first = from.get(collection);
        Assembler assembler = assembler(found, checker, bases);
        FragmentScan scan = new FragmentScan(consumer, collectionTopic, found.start().snapshot(),
                found.start().members().keySet(), assembler);
        scan.read(first == null ? collectionEnd : first.offset(), collectionEnd, TIMEOUT);
        // Every fragment intact, or read to the end: what is there is all there is, as far as a restore is concerned.
        List<GlobalSnapshot> ready = assembler.ready(found.end());
        if (ready.isEmpty()) {
            // Still not every fragment: it timed out, or its fragments were deleted. Nothing left on the topic from
            // before the trigger: the records before the start offset, deleted, may have held them (see Pruning).
            // Asked only here: each request is a round trip, and a restore waits for the lookup.
            long logStart = consumer.beginningOffsets(List.of(collection)).get(collection);
            boolean maybePruned = logStart > 0
                    && (first == null ? logStart >= collectionEnd : first.offset() <= logStart);
            GlobalSnapshot missing = assembler.expire(Long.MAX_VALUE).get(0);
            return new Located(maybePruned && missing.status() == GlobalSnapshot.Status.TIMED_OUT
                    ? Pruning.pruned(missing, collectionTopic, logStart) : missing, scan.firstChunks(), Set.of());
        }
        return new Located(ready.get(0), scan.firstChunks(), Set.of());
    }

    private static Assembler assembler(SnapshotControl.Found found, ConsistencyChecker checker,
                                       FragmentChains.Source bases) {
        Assembler assembler = new Assembler(checker, Duration.ZERO, bases);
        assembler.onSnapshotStart(found.start());
        if (found.abort() != null) {
            assembler.onAbort(found.abort());
        }
        return assembler;
    }
}
