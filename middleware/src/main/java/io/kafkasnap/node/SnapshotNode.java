package io.kafkasnap.node;

import io.kafkasnap.engine.NodeEngine;

import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.api.RestoreListener;

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
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /**
     * The fatal error that stopped the event loop, if any. A failed node does not come back: close it and build a
     * new one (its state is where the last step left it), or let the process die and be restarted. To hear of it at
     * once rather than ask, give the builder {@link Builder#onFailure}.
     */
    public Optional<Throwable> failure() {
        return runtime.failure();
    }

    /**
     * Announces leaving on the control topic, stops the loop, flushes and closes clients and store, and waits for
     * that; called on the node's own thread (a handler, the failure listener) it asks the loop to stop and returns.
     */
    @Override
    public void close() {
        runtime.close();
    }

    /**
     * Builds a node and rejects a bad setting with a message that says what is wrong. A bad value of one setting is a
     * {@link SnapshotNodeConfigException} (an {@link IllegalArgumentException}) naming the setting, thrown by the
     * method that takes it (Kafka client properties: by {@link #build()}); settings that do not fit together, or a
     * required one missing, are an {@link IllegalStateException} from {@link #build()}.
     */
    public static final class Builder {

        private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

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
        private RestoreListener restoreListener;
        private Consumer<Throwable> failureListener;

        private Builder() {
        }

        /** Unique among the nodes that share a control topic: letters, digits, '.', '_' and '-'. */
        public Builder processId(String processId) {
            if (processId == null || !PROCESS_ID.matcher(processId).matches()) {
                throw new SnapshotNodeConfigException("processId",
                        "processId must be 1-200 of [A-Za-z0-9._-], got: " + processId);
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
                throw new SnapshotNodeConfigException(name, "unknown setting '" + name + "'; known: "
                        + new TreeSet<>(SnapshotNodeConfig.DEFINITION.names()));
            }
            Map<String, Object> trial = new HashMap<>(settings);
            trial.put(name, value);
            try {
                new SnapshotNodeConfig(trial);
            } catch (ConfigException e) {
                throw new SnapshotNodeConfigException(name, e.getMessage(), e);
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
            if (stateDir == null) {
                throw new SnapshotNodeConfigException("stateDir", "stateDir must not be null");
            }
            this.stateDir = stateDir;
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
                throw new SnapshotNodeConfigException("timer", "timer period must be positive, got: " + period);
            }
            timers.add(new NodeEngine.Periodic(period, Objects.requireNonNull(task, "task")));
            return this;
        }

        /**
         * Told of every restore this node applies, on the event loop inside the restore's step, once the state is in
         * place: so that the service can reset what lives outside the node (see {@link RestoreListener}).
         */
        public Builder onRestore(RestoreListener listener) {
            this.restoreListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Called once if the node fails for good (its store failed, a channel refused a record for good, a handler
         * broke the loop), after the node has stopped, left its snapshot group and closed its clients and store; on
         * the node's own thread, so it may close the node. Also called when {@link SnapshotNode#start()} fails after
         * the event loop began (start then throws too). The same error is {@link SnapshotNode#failure()}.
         */
        public Builder onFailure(Consumer<Throwable> listener) {
            this.failureListener = Objects.requireNonNull(listener, "listener");
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
                throw new IllegalStateException("kafkaProperties must set bootstrap.servers for " + processId);
            }
            Object idempotence = kafka.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
            if (idempotence != null && !Boolean.parseBoolean(idempotence.toString())) {
                throw new SnapshotNodeConfigException(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        "enable.idempotence=false breaks FIFO channels under retries; leave it unset or true");
            }
            if (kafka.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
                // The node's producers are idempotent, not transactional: an id would make every send wait for a
                // transaction that the node never begins, and several producers of a node would fence each other.
                throw new SnapshotNodeConfigException(ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "transactional.id is not for a snapshot node's producers (the outbox gives exactly-once"
                                + " without transactions); remove it");
            }
            Object acks = kafka.get(ProducerConfig.ACKS_CONFIG);
            if (acks != null && !Set.of("all", "-1").contains(acks.toString())) {
                throw new SnapshotNodeConfigException(ProducerConfig.ACKS_CONFIG,
                        "acks=" + acks + " may lose records on a channel; use acks=all");
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
            if (incoming.isEmpty() && outgoing.isEmpty()) {
                // Allowed: its state still takes part in every snapshot and restore (a timer-driven process).
                log.warn("{} has no incoming and no outgoing channels: it joins the snapshot group of {} with its"
                        + " state only; give it channels with incoming(...) and outgoing(...) if that is not meant",
                        processId, config.getString(SnapshotNodeConfig.CONTROL_TOPIC));
            }
            RecordHandler recordHandler = handler != null ? handler : (ctx, record) -> {
                throw new IllegalStateException("no handler");
            };
            return new SnapshotNode(new NodeRuntime(processId, Map.copyOf(kafka), config, stateDir,
                    Set.copyOf(incoming), Set.copyOf(outgoing), recordHandler, List.copyOf(onStart),
                    List.copyOf(timers), meterRegistry != null ? meterRegistry : new SimpleMeterRegistry(),
                    restoreListener, failureListener));
        }

        private Builder addChannels(Set<String> target, Set<String> other, String kind, String... topics) {
            for (String topic : topics) {
                if (topic == null || topic.isBlank()) {
                    throw new SnapshotNodeConfigException(kind, kind + " channel topic must not be blank");
                }
                if (other.contains(topic)) {
                    throw new SnapshotNodeConfigException(kind, "channel " + topic
                            + " is both incoming and outgoing; a channel joins two different processes");
                }
                if (!target.add(topic)) {
                    throw new SnapshotNodeConfigException(kind, kind + " channel " + topic + " is given twice");
                }
            }
            return this;
        }
    }
}
