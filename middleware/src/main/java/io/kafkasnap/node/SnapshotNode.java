package io.kafkasnap.node;

import io.kafkasnap.engine.NodeEngine;

import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * One process of a snapshotted computation: it consumes its incoming channels, runs the handler, sends on its
 * outgoing channels, keeps state in RocksDB, and takes part in every snapshot triggered on the control topic.
 *
 * <pre>{@code
 * SnapshotNode node = SnapshotNode.builder()
 *         .processId("bank-0")
 *         .kafkaProperties(Map.of("bootstrap.servers", "localhost:9092"))
 *         .stateDir(Path.of("/var/lib/bank-0"))
 *         .incoming("bank.1.0")
 *         .outgoing("bank.0.1")
 *         .onRecord((ctx, record) -> ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1))
 *         .build();
 * node.start();
 * }</pre>
 */
public final class SnapshotNode implements AutoCloseable {

    private final NodeRuntime runtime;

    private SnapshotNode(NodeRuntime runtime) {
        this.runtime = runtime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store, checks or creates the topics, announces the node on the control topic and starts the
     * event loop. Returns once the node is consuming.
     *
     * @throws IllegalStateException naming the topic or directory at fault, if the node cannot start
     */
    public SnapshotNode start() {
        runtime.start();
        return this;
    }

    public String processId() {
        return runtime.processId();
    }

    /** True from a successful start until close or a fatal error. */
    public boolean isRunning() {
        return runtime.isRunning();
    }

    /** The fatal error that stopped the event loop, if any. */
    public Optional<Throwable> failure() {
        return runtime.failure();
    }

    /** Announces leaving on the control topic, stops the loop, flushes and closes clients and store. */
    @Override
    public void close() {
        runtime.close();
    }

    /**
     * Builds a node and rejects a bad setting at once, with a message that says what is wrong.
     */
    public static final class Builder {

        private static final Pattern PROCESS_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

        private String processId;
        private final Map<String, Object> kafka = new HashMap<>();
        private final Map<String, Object> settings = new HashMap<>();
        private Path stateDir;
        private final Set<String> incoming = new LinkedHashSet<>();
        private final Set<String> outgoing = new LinkedHashSet<>();
        private RecordHandler handler;
        private final List<NodeTask> onStart = new ArrayList<>();
        private final List<NodeEngine.Periodic> timers = new ArrayList<>();
        private MeterRegistry meterRegistry;

        private Builder() {
        }

        /** Unique among the nodes that share a control topic: letters, digits, '.', '_' and '-'. */
        public Builder processId(String processId) {
            if (processId == null || !PROCESS_ID.matcher(processId).matches()) {
                throw new IllegalArgumentException("processId must be 1-200 of [A-Za-z0-9._-], got: " + processId);
            }
            this.processId = processId;
            return this;
        }

        /** Kafka client properties, passed untouched to the producer, consumer and admin client. */
        public Builder kafkaProperties(Map<String, ?> properties) {
            kafka.putAll(properties);
            return this;
        }

        public Builder kafkaProperties(Properties properties) {
            properties.forEach((k, v) -> kafka.put(String.valueOf(k), v));
            return this;
        }

        /** A node setting of {@link SnapshotNodeConfig}; checked at once. */
        public Builder setting(String name, Object value) {
            if (!SnapshotNodeConfig.DEFINITION.names().contains(name)) {
                throw new IllegalArgumentException("unknown setting '" + name + "'; known: "
                        + new TreeSet<>(SnapshotNodeConfig.DEFINITION.names()));
            }
            Map<String, Object> trial = new HashMap<>(settings);
            trial.put(name, value);
            try {
                new SnapshotNodeConfig(trial);
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            settings.put(name, value);
            return this;
        }

        public Builder controlTopic(String topic) {
            return setting(SnapshotNodeConfig.CONTROL_TOPIC, topic);
        }

        public Builder collectionTopic(String topic) {
            return setting(SnapshotNodeConfig.COLLECTION_TOPIC, topic);
        }

        /** Where RocksDB keeps this node's state, positions and recorded channel records. */
        public Builder stateDir(Path stateDir) {
            this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
            return this;
        }

        /** Incoming channel topics: each one partition, written by one other process. */
        public Builder incoming(String... topics) {
            return addChannels(incoming, outgoing, "incoming", topics);
        }

        public Builder incoming(Iterable<String> topics) {
            topics.forEach(this::incoming);
            return this;
        }

        /** Outgoing channel topics: each one partition, read by one other process. */
        public Builder outgoing(String... topics) {
            return addChannels(outgoing, incoming, "outgoing", topics);
        }

        public Builder outgoing(Iterable<String> topics) {
            topics.forEach(this::outgoing);
            return this;
        }

        public Builder onRecord(RecordHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Runs once on the event loop before the first record, e.g. to set an initial state if absent. */
        public Builder onStart(NodeTask task) {
            onStart.add(Objects.requireNonNull(task, "task"));
            return this;
        }

        /** Runs {@code task} on the event loop every {@code period}, first after one period. */
        public Builder timer(Duration period, NodeTask task) {
            if (period == null || period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("timer period must be positive, got: " + period);
            }
            timers.add(new NodeEngine.Periodic(period, Objects.requireNonNull(task, "task")));
            return this;
        }

        /** Where the node's meters go (records, snapshots, fragment sizes); a private registry if not set. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        public SnapshotNode build() {
            if (processId == null) {
                throw new IllegalStateException("processId is required");
            }
            if (stateDir == null) {
                throw new IllegalStateException("stateDir is required for " + processId);
            }
            if (!kafka.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("kafkaProperties must set bootstrap.servers");
            }
            Object idempotence = kafka.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
            if (idempotence != null && !Boolean.parseBoolean(idempotence.toString())) {
                throw new IllegalStateException("enable.idempotence=false breaks FIFO channels under retries;"
                        + " leave it unset or true");
            }
            Object acks = kafka.get(ProducerConfig.ACKS_CONFIG);
            if (acks != null && !Set.of("all", "-1").contains(acks.toString())) {
                throw new IllegalStateException("acks=" + acks + " may lose records on a channel; use acks=all");
            }
            if (!incoming.isEmpty() && handler == null) {
                throw new IllegalStateException(processId + " has incoming channels " + incoming
                        + " but no onRecord handler");
            }
            SnapshotNodeConfig config = new SnapshotNodeConfig(settings);
            int chunk = config.getInt(SnapshotNodeConfig.CHUNK_BYTES);
            Object maxRequest = kafka.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
            // A chunk travels with its key and headers; leave them room, or publishing a fragment fails later.
            if (chunk + 4096 > Integer.parseInt(maxRequest.toString())) {
                throw new IllegalStateException(SnapshotNodeConfig.CHUNK_BYTES + "=" + chunk + " does not fit in "
                        + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + "=" + maxRequest
                        + " with 4 KiB to spare for key and headers; lower it or raise max.request.size");
            }
            Set<String> reserved = Set.of(config.getString(SnapshotNodeConfig.CONTROL_TOPIC),
                    config.getString(SnapshotNodeConfig.COLLECTION_TOPIC));
            for (String topic : reserved) {
                if (incoming.contains(topic) || outgoing.contains(topic)) {
                    throw new IllegalStateException("channel " + topic + " is the control or collection topic");
                }
            }
            RecordHandler recordHandler = handler != null ? handler : (ctx, record) -> {
                throw new IllegalStateException("no handler");
            };
            return new SnapshotNode(new NodeRuntime(processId, Map.copyOf(kafka), config, stateDir,
                    Set.copyOf(incoming), Set.copyOf(outgoing), recordHandler, List.copyOf(onStart),
                    List.copyOf(timers), meterRegistry != null ? meterRegistry : new SimpleMeterRegistry()));
        }

        private Builder addChannels(Set<String> target, Set<String> other, String kind, String... topics) {
            for (String topic : topics) {
                if (topic == null || topic.isBlank()) {
                    throw new IllegalArgumentException(kind + " channel topic must not be blank");
                }
                if (other.contains(topic)) {
                    throw new IllegalArgumentException("channel " + topic
                            + " is both incoming and outgoing; a channel joins two different processes");
                }
                if (!target.add(topic)) {
                    throw new IllegalArgumentException(kind + " channel " + topic + " is given twice");
                }
            }
            return this;
        }
    }
}
