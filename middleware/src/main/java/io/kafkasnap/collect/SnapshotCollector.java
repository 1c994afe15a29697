package io.kafkasnap.collect;

import io.kafkasnap.format.Membership;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.KafkaChannelLog;
import io.kafkasnap.kafka.Triggers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles global snapshots from Kafka: reads the control topic (membership, triggers) and the collection topic
 * (fragments) from the beginning in assign mode, with no consumer group, and turns each snapshot into a
 * {@link GlobalSnapshot} once every member's fragment has arrived ({@code complete}; {@code inconsistent} if a rule
 * is violated; {@code incomplete} if a fragment was unusable), once a member aborted it ({@code failed}, with the
 * reason and the member), or once its timeout has passed since the trigger ({@code timed-out}, naming who is
 * missing). Every snapshot whose fragments all arrived is checked against rules 1–3 by reading its channels.
 *
 * <p>Memory: the last {@link Builder#keepInFull(int)} assembled snapshots are kept in full (all by default), and a
 * small {@link Summary} of the last {@link Builder#keepSummaries(int)} (all by default); a long-running reader (a
 * dashboard, {@code snapshots watch}) sets both bounds, and whatever else is kept per snapshot is bounded too.
 * {@link Builder#since(Instant)} assembles only the snapshots triggered from then on, so that a reader started on a
 * long history does not assemble and check all of it first.
 *
 * <p>Both topics have one partition (DESIGN.md); partition 0 is read. Not thread-safe: use it from one thread.
 */
public final class SnapshotCollector implements AutoCloseable {

    public static final String DEFAULT_CONTROL_TOPIC = "kafkasnap.control";
    public static final String DEFAULT_COLLECTION_TOPIC = "kafkasnap.fragments";
    /** Longer than a node's default snapshot timeout (60 s), so a stuck snapshot shows the node's reason. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCollector.class);
    private static final Duration AWAIT_POLL = Duration.ofMillis(100);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(5);
    /** Finished snapshots remembered by status, to explain late fragments and aborts; older ones are just "finished". */
    private static final int FINISHED_REMEMBERED = 10_000;

    private final Properties clientProperties;
    private final String controlTopic;
    private final String collectionTopic;
    private final Clock clock;
    private final TopicPartition control;
    private final TopicPartition collection;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaChannelLog channelLog;
    private final KafkaFragmentSource bases;
    private final Membership membership = new Membership();
    private final Assembler assembler;
    private final TreeMap<Long, GlobalSnapshot> assembled = new TreeMap<>();
    private final TreeMap<Long, Summary> summaries = new TreeMap<>();
    private final int keepInFull;
    private final int keepSummaries;
    /** Triggers with an earlier timestamp are passed over until the first one at or after it. */
    private final long sinceMillis;
    private boolean assembling;
    /** Where reading the collection topic began: 0, or later when only snapshots since a time are assembled. */
    private final long collectionFrom;
    /** The timestamp of the first collection record read: records before it may have been deleted. */
    private Long firstCollectionTimestamp;

    /**
     * What is kept of every assembled snapshot, also once its full form has been dropped.
     *
     * @param inFlight the number of messages recorded in flight over all channels
     */
    public record Summary(long snapshot, GlobalSnapshot.Status status, long triggeredAt, long completedAt,
                          int members, int inFlight, boolean consistent) {
        static Summary of(GlobalSnapshot s) {
            return new Summary(s.snapshot(), s.status(), s.triggeredAt(), s.completedAt(), s.members().size(),
                    s.inFlightMessageCount(), s.isComplete() && s.isConsistent());
        }
    }

    private SnapshotCollector(Builder builder) {
        this.clientProperties = builder.clientProperties;
        this.controlTopic = builder.controlTopic;
        this.collectionTopic = builder.collectionTopic;
        this.clock = builder.clock;
        this.keepInFull = builder.keepInFull;
        this.keepSummaries = builder.keepSummaries;
        this.sinceMillis = builder.since == null ? Long.MIN_VALUE : builder.since.toEpochMilli();
        this.control = new TopicPartition(builder.controlTopic, 0);
        this.collection = new TopicPartition(builder.collectionTopic, 0);
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.channelLog = new KafkaChannelLog(clientProperties);
        this.bases = new KafkaFragmentSource(clientProperties, builder.collectionTopic);
        this.assembler = new Assembler(new ConsistencyChecker(channelLog), builder.timeout, bases)
                .rememberFinished(FINISHED_REMEMBERED);
        consumer.assign(List.of(control, collection));
        // Membership is the sum of every join and leave: the control topic is always read whole.
        consumer.seekToBeginning(List.of(control, collection));
        this.collectionFrom = builder.since == null ? 0 : seekCollectionTo(sinceMillis);
    }

    /**
     * Seeks the collection topic to where fragments of snapshots triggered at {@code millis} or later can begin: the
     * producers' clocks may run behind the trigger's, as {@link SnapshotLookup} allows for.
     */
    private long seekCollectionTo(long millis) {
        long from = Math.max(0, millis - Pruning.CLOCK_SKEW_MARGIN_MS);
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(collection, from), END_OFFSETS_TIMEOUT)
                .get(collection);
        long offset = found != null ? found.offset()
                : consumer.endOffsets(List.of(collection), END_OFFSETS_TIMEOUT).get(collection);
        consumer.seek(collection, offset);
        return offset;
    }

    /** @param clientProperties Kafka client properties (bootstrap servers, TLS, SASL), passed through as given */
    public static Builder builder(Properties clientProperties) {
        return new Builder(clientProperties);
    }

    /**
     * Reads what has arrived, waiting up to {@code timeout} for records.
     *
     * @return the snapshots assembled by this call, in snapshot-id order
     */
    public List<GlobalSnapshot> poll(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> fragments = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (record.topic().equals(control.topic())) {
                onControl(record);
            } else {
                if (firstCollectionTimestamp == null) {
                    firstCollectionTimestamp = record.timestamp();
                }
                fragments.add(record);
            }
        }
        // Control records first: a batch may hold a trigger and the fragments it started.
        fragments.forEach(assembler::onFragmentRecord);

        List<GlobalSnapshot> result = new ArrayList<>(assembler.ready(consumer.position(control),
                consumer.position(collection)));
        long now = clock.millis();
        if (assembler.hasOverdue(now) && caughtUpOnCollection()) {
            result.addAll(markPruned(assembler.expire(now)));
        }
        result.sort(Comparator.comparingLong(GlobalSnapshot::snapshot));
        for (GlobalSnapshot snapshot : result) {
            assembled.put(snapshot.snapshot(), snapshot);
            summaries.put(snapshot.snapshot(), Summary.of(snapshot));
        }
        while (assembled.size() > keepInFull) {
            assembled.pollFirstEntry();
        }
        while (summaries.size() > keepSummaries) {
            summaries.pollFirstEntry();
        }
        return result;
    }

    private void onControl(ConsumerRecord<byte[], byte[]> record) {
        if (record.offset() < membership.nextOffset()) {
            return; // read again after a seek
        }
        Optional<ControlRecord> read = ControlRecords.parse(record.topic(), record.offset(), record.value());
        if (read.isEmpty()) {
            return;
        }
        ControlRecord parsed = read.get();
        membership.accept(record.offset(), record.timestamp(), parsed).ifPresent(start -> {
            // From the first trigger at or after `since` on, every one is assembled, whatever its producer's clock.
            assembling |= start.triggeredAt() >= sinceMillis;
            if (assembling) {
                assembler.onSnapshotStart(start);
            } else {
                assembler.skipUpTo(start.snapshot());
            }
        });
        if (parsed instanceof ControlRecord.Abort abort) {
            // Both topics are read by one consumer, so the abort can be read before fragments written earlier: a
            // snapshot whose every fragment was published before the abort is complete (as SnapshotLookup finds,
            // reading the control topic first), so the abort fails it only once the collection topic has been read
            // up to where it ended when the abort was read.
            assembler.onAbort(abort, collectionEnd());
        }
    }

    /**
     * The collection topic's end offset now; 0 if it cannot be read, so that the abort is judged at once rather than
     * leaving the snapshot to time out without its reason.
     */
    private long collectionEnd() {
        try {
            Long end = consumer.endOffsets(List.of(collection), END_OFFSETS_TIMEOUT).get(collection);
            return end == null ? 0 : end;
        } catch (KafkaException e) {
            LOG.warn("cannot read the end offset of {}: {}; judging the abort with what has been read", collection,
                    e.getMessage());
            return 0;
        }
    }

    /** The snapshots triggered and not yet assembled, as {@code in-progress} documents with the fragments so far. */
    public List<GlobalSnapshot> inProgress() {
        return assembler.inProgress(clock.millis());
    }

    /**
     * A summary of every snapshot assembled so far (the last {@code keepSummaries}), in snapshot-id order, including
     * those no longer kept in full.
     */
    public List<Summary> summaries() {
        return List.copyOf(summaries.values());
    }

    /** Every snapshot assembled so far and still kept in full (the last {@code keepInFull}), in snapshot-id order. */
    public List<GlobalSnapshot> all() {
        return List.copyOf(assembled.values());
    }

    /** The snapshot with this id if it has been assembled and is still kept in full. */
    public Optional<GlobalSnapshot> get(long snapshotId) {
        return Optional.ofNullable(assembled.get(snapshotId));
    }

    /**
     * Polls until snapshot {@code snapshotId} is assembled (whatever its status) or {@code timeout} passes. Snapshots
     * assembled meanwhile are kept and appear in {@link #all()}. Empty also if it was assembled but is no longer kept
     * in full (more than {@code keepInFull} snapshots assembled since), or if it was triggered before {@code since}.
     */
    public Optional<GlobalSnapshot> await(long snapshotId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!summaries.containsKey(snapshotId) && !assembler.isSettled(snapshotId)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            poll(Duration.ofNanos(Math.min(remaining, AWAIT_POLL.toNanos())));
        }
        return Optional.ofNullable(assembled.get(snapshotId));
    }

    /**
     * Finds one snapshot (assembled and checked) without assembling every other; see {@link SnapshotLookup}.
     *
     * @return empty if {@code snapshotId} is not the offset of a trigger
     */
    public Optional<GlobalSnapshot> lookup(long snapshotId) {
        return SnapshotLookup.find(clientProperties, controlTopic, collectionTopic, snapshotId, Long.MAX_VALUE);
    }

    /**
     * Rolls the whole system back to snapshot {@code snapshotId}: checks that it can be restored, writes the
     * restore record, and returns a handle to follow the members as they restore.
     *
     * @throws Restores.RefusedException naming why, when it cannot be restored; nothing is written then
     */
    public Restores.Handle restore(long snapshotId, boolean allowNewMembers) {
        return Restores.restore(clientProperties, controlTopic, collectionTopic, snapshotId, allowNewMembers);
    }

    /** Writes a trigger to this collector's control topic; returns the new snapshot's id. */
    public long trigger(Optional<String> initiator) {
        return Triggers.trigger(clientProperties, controlTopic, initiator);
    }

    @Override
    public void close() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } finally {
            try {
                channelLog.close();
            } finally {
                bases.close();
            }
        }
    }

    /** Timed-out snapshots whose fragments were deleted from the collection topic become {@code pruned}. */
    private List<GlobalSnapshot> markPruned(List<GlobalSnapshot> expired) {
        if (expired.stream().noneMatch(s -> s.status() == GlobalSnapshot.Status.TIMED_OUT)) {
            return expired;
        }
        long logStart;
        try {
            logStart = consumer.beginningOffsets(List.of(collection), END_OFFSETS_TIMEOUT).getOrDefault(collection, 0L);
        } catch (KafkaException e) {
            LOG.debug("cannot read the start offset of {}: {}", collection, e.getMessage());
            return expired;
        }
        if (logStart <= collectionFrom && collectionFrom > 0) {
            // Read from a later offset on purpose: nothing this reader needed was deleted.
            return expired;
        }
        List<GlobalSnapshot> result = new ArrayList<>();
        for (GlobalSnapshot snapshot : expired) {
            result.add(Pruning.wasPruned(snapshot, logStart, firstCollectionTimestamp)
                    ? Pruning.pruned(snapshot, collectionTopic, logStart) : snapshot);
        }
        return result;
    }

    /** Whether every collection record written up to now has been read, so a missing fragment is really missing. */
    private boolean caughtUpOnCollection() {
        try {
            Long end = consumer.endOffsets(List.of(collection), END_OFFSETS_TIMEOUT).get(collection);
            return end != null && consumer.position(collection, END_OFFSETS_TIMEOUT) >= end;
        } catch (KafkaException e) {
            // Not knowing is not being caught up: the snapshot times out at a later poll instead.
            LOG.warn("cannot tell whether {} has been read to its end: {}", collection, e.getMessage());
            return false;
        }
    }

    /** Configures a {@link SnapshotCollector}; every setting but the client properties has a default. */
    public static final class Builder {
        private final Properties clientProperties;
        private String controlTopic = DEFAULT_CONTROL_TOPIC;
        private String collectionTopic = DEFAULT_COLLECTION_TOPIC;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Clock clock = Clock.systemUTC();
        private int keepInFull = Integer.MAX_VALUE;
        private int keepSummaries = Integer.MAX_VALUE;
        private Instant since;

        private Builder(Properties clientProperties) {
            this.clientProperties = new Properties();
            this.clientProperties.putAll(Objects.requireNonNull(clientProperties, "clientProperties"));
        }

        public Builder controlTopic(String topic) {
            this.controlTopic = requireTopic(topic);
            return this;
        }

        public Builder collectionTopic(String topic) {
            this.collectionTopic = requireTopic(topic);
            return this;
        }

        /** How long after its trigger's timestamp an unfinished snapshot is reported {@code timed-out}. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The clock timeouts are measured with; trigger timestamps come from Kafka. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Keep only the last {@code n} summaries (see {@link #summaries()}); for readers that run for long and show
         * only recent history.
         */
        public Builder keepSummaries(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("keepSummaries must be at least 1, got " + n);
            }
            this.keepSummaries = n;
            return this;
        }

        /**
         * Assemble only the snapshots triggered at or after {@code instant} (by the trigger record's timestamp; from
         * the first such trigger on, every later one too): the collection topic is read from that time less a margin
         * for producers' clocks, and earlier snapshots are neither assembled nor checked.
         */
        public Builder since(Instant instant) {
            this.since = Objects.requireNonNull(instant, "instant");
            return this;
        }

        /** Keep only the last {@code n} assembled snapshots in full; older ones keep their {@link Summary}. */
        public Builder keepInFull(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("keepInFull must be at least 1, got " + n);
            }
            this.keepInFull = n;
            return this;
        }

        public SnapshotCollector build() {
            return new SnapshotCollector(this);
        }

        private static String requireTopic(String topic) {
            if (topic == null || topic.isEmpty()) {
                throw new IllegalArgumentException("topic must be a non-empty name");
            }
            return topic;
        }
    }
}
