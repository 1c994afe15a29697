package io.kafkasnap.node;

import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The node's own settings, each declared once with type, default, validator and doc, as Kafka's clients do.
 * They are given to {@link SnapshotNode.Builder#setting(String, Object)}; Kafka client properties are separate
 * and passed to the clients untouched.
 */
public final class SnapshotNodeConfig extends AbstractConfig {

    public static final String CONTROL_TOPIC = "kafkasnap.control.topic";
    public static final String COLLECTION_TOPIC = "kafkasnap.collection.topic";
    public static final String CREATE_TOPICS = "kafkasnap.topics.create";
    public static final String REPLICATION_FACTOR = "kafkasnap.topics.replication.factor";
    public static final String CHUNK_BYTES = "kafkasnap.fragment.chunk.bytes";
    public static final String FRAGMENT_FULL_EVERY = "kafkasnap.fragment.full.every";
    public static final String MAX_POLL_WAIT_MS = "kafkasnap.poll.max.wait.ms";
    public static final String OUTBOX_MAX_RECORDS = "kafkasnap.outbox.max.records";
    public static final String SNAPSHOT_TIMEOUT_MS = "kafkasnap.snapshot.timeout.ms";
    public static final String SNAPSHOT_MAX_CONCURRENT = "kafkasnap.snapshot.max.concurrent";
    public static final String SNAPSHOT_ALIGN_MAX_LAG = "kafkasnap.snapshot.align.max.lag";
    public static final String SNAPSHOT_ALIGN_TIMEOUT_MS = "kafkasnap.snapshot.align.timeout.ms";
    public static final String STATUS_TOPIC = "kafkasnap.status.topic";
    public static final String STATUS_INTERVAL_MS = "kafkasnap.status.interval.ms";
    public static final String STORE_SYNC = "kafkasnap.store.sync";

    public static final String DEFAULT_CONTROL_TOPIC = "kafkasnap.control";
    public static final String DEFAULT_COLLECTION_TOPIC = "kafkasnap.fragments";
    public static final String DEFAULT_STATUS_TOPIC = "kafkasnap.status";

    static final ConfigDef DEFINITION = new ConfigDef()
            .define(CONTROL_TOPIC, Type.STRING, DEFAULT_CONTROL_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "The control topic (one partition, never deleted): joins, leaves, triggers, aborts and restores.")
            .define(COLLECTION_TOPIC, Type.STRING, DEFAULT_COLLECTION_TOPIC, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "The collection topic (one partition) that fragments are published to.")
            .define(CREATE_TOPICS, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create missing channel, control and collection topics with one partition at start. When "
                            + "false, a missing topic is an error at start that names it.")
            .define(REPLICATION_FACTOR, Type.INT, -1, ConfigDef.LambdaValidator.with((name, value) -> {
                int factor = (Integer) value;
                if (factor != -1 && (factor < 1 || factor > Short.MAX_VALUE)) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value,
                            "must be -1 (the cluster's default) or 1 to " + Short.MAX_VALUE);
                }
            }, () -> "-1, or 1 to " + Short.MAX_VALUE), Importance.MEDIUM,
                    "Replicas of each topic the node creates; -1 takes the cluster's default.replication.factor. "
                            + "Run with 3 and min.insync.replicas=2: acks=all is only as strong as the in-sync "
                            + "replicas.")
            .define(CHUNK_BYTES, Type.INT, 512 * 1024, Range.between(1024, 64 * 1024 * 1024), Importance.LOW,
                    "Largest slice of a fragment's JSON in one record. Keep it below the broker's and the "
                            + "topic's message size limit (1 MB by default).")
            .define(FRAGMENT_FULL_EVERY, Type.INT, 1, Range.between(1, 1_000), Importance.MEDIUM,
                    "Every how many fragments of this node one carries the whole state. The others are incremental: "
                            + "they carry only the keys changed or removed since this node's previous published "
                            + "fragment, and name it as their base. A reader rebuilds the state along the chain of "
                            + "bases back to the full fragment, so a larger value publishes less and reads more "
                            + "per restore. 1 publishes every fragment full. After a restart the first is full.")
            .define(MAX_POLL_WAIT_MS, Type.LONG, 100L, Range.between(1, 60_000), Importance.LOW,
                    "Longest time the event loop blocks in poll when idle; timers and acknowledgements wake "
                            + "it sooner.")
            .define(OUTBOX_MAX_RECORDS, Type.INT, 10_000, Range.between(1, 10_000_000), Importance.MEDIUM,
                    "Most records sent and not yet acknowledged by Kafka. When the outbox holds this many, the node "
                            + "stops taking input (records, timers) until the drainer catches up; one poll batch "
                            + "may go past it.")
            .define(SNAPSHOT_TIMEOUT_MS, Type.LONG, 60_000L, Range.between(1, Long.MAX_VALUE), Importance.MEDIUM,
                    "A snapshot not finished at this node this long after it recorded its state is aborted here, "
                            + "naming the channels whose markers are missing.")
            .define(SNAPSHOT_MAX_CONCURRENT, Type.INT, 4, Range.between(1, 1000), Importance.MEDIUM,
                    "Most snapshots in flight at this node at once; a snapshot beyond that is aborted with reason "
                            + "too-many-concurrent.")
            .define(SNAPSHOT_ALIGN_MAX_LAG, Type.INT, 1_000, Range.atLeast(0), Importance.MEDIUM,
                    "When a snapshot starts at this node while its incoming channels still hold more than this many "
                            + "records in all before their markers, the node waits for the markers instead of "
                            + "recording its state at once: it holds each channel whose marker came and records its "
                            + "state when every marker is in (then it records no channel state) or when the channels "
                            + "still to bring one are down to this many. Each record it would otherwise keep is "
                            + "written to RocksDB and published in its fragment. 0 records the state at once, always.")
            .define(SNAPSHOT_ALIGN_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                    "Longest wait for markers before recording the state (see " + SNAPSHOT_ALIGN_MAX_LAG + "); "
                            + "then the node records it and keeps the records of the channels whose marker has not "
                            + "come. Bounds the wait where nodes in a cycle wait for each other. 0 never waits.")
            .define(STATUS_TOPIC, Type.STRING, DEFAULT_STATUS_TOPIC, new ConfigDef.NonEmptyString(), Importance.LOW,
                    "The compacted status topic: every node publishes its positions, outbox depth, snapshots in "
                            + "flight and epoch there, for monitoring only.")
            .define(STATUS_INTERVAL_MS, Type.LONG, 5_000L, Range.between(100, 3_600_000), Importance.LOW,
                    "How often a node publishes its status record.")
            .define(STORE_SYNC, Type.BOOLEAN, false, Importance.LOW,
                    "Whether each step's write waits for RocksDB's write-ahead log to reach the disk. Off, a step "
                            + "survives the death of the process (kill -9) but not of the machine.");

    SnapshotNodeConfig(Map<String, ?> settings) {
        super(DEFINITION, settings, false);
    }

    /**
     * The one declaration of every node setting (name, type, default, validator, doc), for tools that derive from it
     * (the Spring Boot starter's typed properties and their metadata). Read-only: a copy, so changing it changes
     * nothing here.
     */
    public static ConfigDef configDef() {
        return new ConfigDef(DEFINITION);
    }

    /** Every setting with its doc, for --help texts and the README. */
    public static String toDocumentation() {
        return DEFINITION.toRst();
    }
}
