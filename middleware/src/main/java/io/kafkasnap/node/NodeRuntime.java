package io.kafkasnap.node;

import io.kafkasnap.kafka.ControlRecord;
import io.kafkasnap.kafka.MalformedControlRecordException;
import io.kafkasnap.kafka.Markers;
import io.kafkasnap.kafka.Topics;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.NodeStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop behind {@link SnapshotNode}. One thread owns the consumer, the store and the protocol: it runs
 * handlers, timers and snapshot steps one at a time, so between two events the state is quiescent and a
 * snapshot can be taken there. What the protocol asks for is done by {@link SnapshotSteps}; work that costs the
 * state's size (reading a capture out, encoding a fragment) runs there on a second thread and comes back to the
 * loop as a task.
 */
final class NodeRuntime {

    record Periodic(Duration period, NodeTask task) {
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String processId;
    private final Map<String, Object> kafka;
    private final String controlTopic;
    private final String collectionTopic;
    private final boolean createTopics;
    private final int chunkBytes;
    private final long maxPollWaitMs;
    private final Path stateDir;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final RecordHandler handler;
    private final List<NodeTask> onStart;
    private final List<ScheduledTimer> timers = new ArrayList<>();

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final Context context = new Context();

    private final Counter processed;
    private final Counter skipped;
    private final Counter handlerFailures;
    private final MeterRegistry meters;

    private NodeStore store;
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private ExecutorService snapshotWorker;
    private SnapshotProtocol protocol;
    private SnapshotSteps steps;
    private Thread thread;
    private ConsumerRecord<byte[], byte[]> current;
    private volatile boolean running;
    private volatile Throwable failure;
    private boolean closed;

    NodeRuntime(String processId, Map<String, Object> kafka, SnapshotNodeConfig config, Path stateDir,
                Set<String> incoming, Set<String> outgoing, RecordHandler handler, List<NodeTask> onStart,
                List<Periodic> timers, MeterRegistry meters) {
        this.processId = processId;
        this.kafka = kafka;
        this.controlTopic = config.getString(SnapshotNodeConfig.CONTROL_TOPIC);
        this.collectionTopic = config.getString(SnapshotNodeConfig.COLLECTION_TOPIC);
        this.createTopics = config.getBoolean(SnapshotNodeConfig.CREATE_TOPICS);
        this.chunkBytes = config.getInt(SnapshotNodeConfig.CHUNK_BYTES);
        this.maxPollWaitMs = config.getLong(SnapshotNodeConfig.MAX_POLL_WAIT_MS);
        this.stateDir = stateDir;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.handler = handler;
        this.onStart = onStart;
        timers.forEach(t -> this.timers.add(new ScheduledTimer(t)));
        this.meters = meters;
        String[] tags = {"process", processId};
        this.processed = meters.counter("kafkasnap.records.processed", tags);
        this.skipped = meters.counter("kafkasnap.records.skipped", tags);
        this.handlerFailures = meters.counter("kafkasnap.handler.failures", tags);
    }

    String processId() {
        return processId;
    }

    boolean isRunning() {
        return running;
    }

    Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    synchronized void start() {
        if (thread != null || closed) {
            throw new IllegalStateException(processId + " was already started");
        }
        try {
            store = NodeStore.open(stateDir);
            store.deleteAllRecorded();
            try (Admin admin = Admin.create(new HashMap<>(kafka))) {
                List<String> topics = Stream.of(List.of(controlTopic, collectionTopic), incoming, outgoing)
                        .flatMap(java.util.Collection::stream).distinct().toList();
                Topics.requireSinglePartition(admin, topics, createTopics);
            }
            producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
            consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            long joinOffset = producer.send(new ProducerRecord<>(controlTopic, 0, null,
                    new ControlRecord.Join(processId, List.copyOf(incoming), List.copyOf(outgoing)).toJson()))
                    .get(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS).offset();
            Map<String, Long> positions = startingPositions();
            TopicPartition control = new TopicPartition(controlTopic, 0);
            List<TopicPartition> assigned = new ArrayList<>();
            assigned.add(control);
            incoming.forEach(topic -> assigned.add(new TopicPartition(topic, 0)));
            consumer.assign(assigned);
            consumer.seek(control, joinOffset + 1);
            positions.forEach((topic, offset) -> consumer.seek(new TopicPartition(topic, 0), offset));
            snapshotWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "kafkasnap-" + processId + "-fragments"));
            steps = new SnapshotSteps(processId, outgoing, collectionTopic, chunkBytes, store, producer,
                    snapshotWorker, new LoopPort(), meters);
            // Snapshots triggered before our join do not include us: their ids are smaller than the join's offset.
            protocol = new SnapshotProtocol(processId, positions, outgoing, joinOffset + 1, steps);
            running = true;
            thread = daemon(this::loop, "kafkasnap-" + processId);
            thread.start();
            started.await();
        } catch (Exception e) {
            running = false;
            closeResources();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException(processId + " could not start: " + e.getMessage(), e);
        }
        if (failure != null) {
            throw new IllegalStateException(processId + " failed at start: " + failure.getMessage(), failure);
        }
        log.info("{} started: in {} out {}, control {}, state in {}", processId, incoming, outgoing, controlTopic,
                stateDir);
    }

    void close() {
        Thread loopThread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            loopThread = thread;
        }
        if (loopThread == null) {
            closeResources();
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            loopThread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Long> startingPositions() {
        Map<String, Long> stored = store.positions();
        List<TopicPartition> fresh = incoming.stream().filter(topic -> !stored.containsKey(topic))
                .map(topic -> new TopicPartition(topic, 0)).toList();
        Map<String, Long> positions = new HashMap<>();
        consumer.beginningOffsets(fresh).forEach((tp, offset) -> positions.put(tp.topic(), offset));
        incoming.forEach(topic -> {
            if (stored.containsKey(topic)) {
                positions.put(topic, stored.get(topic));
            }
        });
        return positions;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        // One idempotent producer keeps app records and markers in send order on each channel, retries included.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "kafkasnap-" + processId);
        // Every snapshot waits for markers and fragments to cross this producer; lingering would add its delay
        // to each hop. Under load, batches still form while requests are in flight. A user's setting wins.
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        // Positions are ours, kept in RocksDB with the state; Kafka's group offsets are not used.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kafkasnap-" + processId);
        return props;
    }

    // ---- the loop ----------------------------------------------------------------------------------------

    private void loop() {
        try {
            for (NodeTask task : onStart) {
                task.run(context);
            }
            store.commit();
        } catch (Throwable t) {
            fail("an onStart task failed", t);
        } finally {
            started.countDown();
        }
        try {
            while (running) {
                runTasks();
                runDueTimers();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(pollWaitMillis()));
                } catch (WakeupException e) {
                    continue;
                }
                if (!records.isEmpty()) {
                    for (TopicPartition partition : records.partitions()) {
                        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                            dispatch(record);
                        }
                    }
                    store.putPositions(protocol.positions());
                }
                store.commit();
            }
        } catch (Throwable t) {
            fail("the event loop failed", t);
        } finally {
            shutDown();
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(controlTopic)) {
            onControl(record);
        } else if (Markers.isMarker(record.headers())) {
            long snapshot;
            try {
                snapshot = Markers.snapshotOf(record.headers());
            } catch (IllegalArgumentException e) {
                skipped.increment();
                log.warn("{}: skipped {}@{}: {}; it is neither an app record nor a marker, so the handler does"
                        + " not see it", processId, record.topic(), record.offset(), e.getMessage());
                protocol.onSkippedRecord(record.topic(), record.offset());
                return;
            }
            protocol.onMarker(record.topic(), record.offset(), snapshot);
        } else {
            onAppRecord(record);
        }
    }

    private void onAppRecord(ConsumerRecord<byte[], byte[]> record) {
        current = record;
        protocol.onAppRecord(record.topic(), record.offset());
        current = null;
        store.mark();
        try {
            handler.handle(context, new IncomingRecord(record.topic(), record.offset(), record.key(),
                    record.value(), record.timestamp()));
            store.releaseMark();
        } catch (Exception e) {
            store.rollbackToMark();
            handlerFailures.increment();
            log.error("{}: the handler failed on {}@{}; its state changes were undone and the node goes on",
                    processId, record.topic(), record.offset(), e);
        }
        processed.increment();
    }

    private void onControl(ConsumerRecord<byte[], byte[]> record) {
        ControlRecord control;
        try {
            if (record.value() == null) {
                throw new MalformedControlRecordException("the record has no value");
            }
            control = ControlRecord.parse(record.value());
        } catch (MalformedControlRecordException e) {
            log.warn("{}: skipped control record at offset {}: {}", processId, record.offset(), e.getMessage());
            return;
        }
        if (control instanceof ControlRecord.Trigger trigger) {
            protocol.onTrigger(record.offset(), trigger.initiator().orElse(null));
        } else if (control instanceof ControlRecord.Restore restore) {
            log.warn("{}: skipped control record at offset {}: restore of snapshot {} is not supported by this"
                    + " version", processId, record.offset(), restore.snapshot());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    private void runDueTimers() throws Exception {
        long now = System.nanoTime();
        for (ScheduledTimer timer : timers) {
            if (now - timer.due >= 0) {
                timer.due = now + timer.timer.period().toNanos();
                try {
                    store.mark();
                    timer.timer.task().run(context);
                    store.releaseMark();
                } catch (Exception e) {
                    store.rollbackToMark();
                    handlerFailures.increment();
                    log.error("{}: a timer task failed; its state changes were undone", processId, e);
                }
            }
        }
    }

    private long pollWaitMillis() {
        if (!tasks.isEmpty()) {
            return 0;
        }
        long wait = maxPollWaitMs;
        long now = System.nanoTime();
        for (ScheduledTimer timer : timers) {
            wait = Math.min(wait, Math.max(0, TimeUnit.NANOSECONDS.toMillis(timer.due - now)));
        }
        return wait;
    }

    /** Runs {@code task} on the loop; safe from any thread. */
    private void post(Runnable task) {
        tasks.add(task);
        consumer.wakeup();
    }

    private void fail(String what, Throwable t) {
        if (failure == null) {
            failure = t;
        }
        running = false;
        log.error("{}: {}; the node stops", processId, what, t);
    }

    private void shutDown() {
        running = false;
        try {
            if (failure == null) {
                store.putPositions(protocol.positions());
                store.commit();
                producer.send(new ProducerRecord<>(controlTopic, 0, null, new ControlRecord.Leave(processId).toJson()))
                        .get(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.warn("{}: could not announce leaving: {}", processId, e.toString());
        } finally {
            closeResources();
            log.info("{} stopped", processId);
        }
    }

    private void closeResources() {
        if (snapshotWorker != null) {
            snapshotWorker.shutdown();
            try {
                snapshotWorker.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
        }
        if (steps != null) {
            steps.releaseCaptures(); // the worker has stopped: nothing else reads them
        }
        if (store != null) {
            store.close();
        }
    }

    /** What the snapshot steps see of the loop. */
    private final class LoopPort implements SnapshotSteps.Loop {
        @Override
        public void post(Runnable task) {
            NodeRuntime.this.post(task);
        }

        @Override
        public void fail(String what, Throwable cause) {
            NodeRuntime.this.fail(what, cause);
        }

        @Override
        public SnapshotProtocol protocol() {
            return protocol;
        }

        @Override
        public ConsumerRecord<byte[], byte[]> current() {
            return current;
        }
    }

    // ---- what handlers see -------------------------------------------------------------------------------

    private final class Context implements NodeContext, KeyValueState {

        /** One callback for every app send: on the hot path, a capturing lambda per record is garbage. */
        private final org.apache.kafka.clients.producer.Callback sendFailure = (metadata, error) -> {
            if (error != null) {
                post(() -> fail("sending an app record failed; its channel's order can no longer be guaranteed",
                        error));
            }
        };

        @Override
        public String processId() {
            return processId;
        }

        @Override
        public KeyValueState state() {
            return this;
        }

        @Override
        public void send(String channel, byte[] key, byte[] value) {
            if (!outgoing.contains(channel)) {
                throw new IllegalArgumentException(channel + " is not an outgoing channel of " + processId
                        + "; outgoing: " + outgoing);
            }
            producer.send(new ProducerRecord<>(channel, 0, key, value), sendFailure);
        }

        @Override
        public Set<String> incomingChannels() {
            return incoming;
        }

        @Override
        public Set<String> outgoingChannels() {
            return outgoing;
        }

        @Override
        public byte[] get(String key) {
            return store.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            store.put(key, value);
        }

        @Override
        public void delete(String key) {
            store.delete(key);
        }

        @Override
        public void forEach(BiConsumer<String, byte[]> action) {
            store.forEachState(action);
        }
    }

    private static final class ScheduledTimer {
        final Periodic timer;
        long due;

        ScheduledTimer(Periodic timer) {
            this.timer = timer;
            this.due = System.nanoTime() + timer.period().toNanos();
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread t = new Thread(runnable, name);
        t.setDaemon(true);
        return t;
    }
}
