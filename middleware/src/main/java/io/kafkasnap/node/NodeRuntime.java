package io.kafkasnap.node;

import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.api.RestoreListener;
import io.kafkasnap.engine.ChannelHeads;
import io.kafkasnap.engine.InputControl;
import io.kafkasnap.engine.InputRecord;
import io.kafkasnap.engine.NodeEngine;
import io.kafkasnap.engine.Time;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.TopicScan;
import io.kafkasnap.kafka.Topics;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka shell around a {@link NodeEngine}: owns the store, the clients (a consumer; a producer each for the
 * channels, the control topic, the status topic and the fragments, so that no backlog of one delays another) and the
 * event-loop thread. It reads, hands each record and each client outcome to the engine on the loop, and ends every
 * loop iteration with the engine's one commit. It decides nothing.
 */
final class NodeRuntime {

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
    private static final long RESTORE_RETRY_MS = 2_000;
    private static final Runnable WAKE = () -> { };

    /** An engine event from a client thread, run on the loop. */
    interface LoopTask {
        void run() throws Exception;
    }

    private final String processId;
    private final Map<String, Object> kafka;
    private final SnapshotNodeConfig config;
    private final String controlTopic;
    private final String collectionTopic;
    private final String statusTopic;
    private final Path stateDir;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final RecordHandler handler;
    private final List<NodeTask> onStart;
    private final List<NodeEngine.Periodic> timers;
    private final long maxPollWaitMs;
    private final MeterRegistry meters;
    private final Counter polls;
    private final RestoreListener restoreListener;
    private final Consumer<Throwable> failureListener;

    private final LinkedBlockingQueue<LoopTask> tasks = new LinkedBlockingQueue<>();
    private final Acknowledgements acknowledgements = new Acknowledgements();
    // One wake-up per burst of client outcomes, not one per acknowledgement: each wake-up is a selector syscall and
    // a WakeupException out of the next poll.
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final CountDownLatch started = new CountDownLatch(1);

    private NodeStore store;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaChannelOutput channelOutput;
    private KafkaProducer<byte[], byte[]> controlProducer;
    private KafkaProducer<byte[], byte[]> statusProducer;
    private KafkaProducer<byte[], byte[]> fragmentProducer;
    private FragmentPublisher publisher;
    private KafkaSnapshotSource snapshotSource;
    private ControlWriter control;
    private StatusReporter status;
    private NodeEngine engine;
    private Thread thread;
    private boolean joined;
    private volatile boolean waitingForRoom;
    /** Set by the loop after each step, before it decides how long to poll: see the poll wait in {@link #step}. */
    private volatile boolean acknowledgementsAwaited = true;
    private volatile boolean running;
    private volatile Throwable failure;
    private boolean closed;

    NodeRuntime(String processId, Map<String, Object> kafka, SnapshotNodeConfig config, Path stateDir,
                Set<String> incoming, Set<String> outgoing, RecordHandler handler, List<NodeTask> onStart,
                List<NodeEngine.Periodic> timers, MeterRegistry meters, RestoreListener restoreListener,
                Consumer<Throwable> failureListener) {
        this.restoreListener = restoreListener;
        this.failureListener = failureListener;
        this.processId = processId;
        this.kafka = kafka;
        this.config = config;
        this.controlTopic = config.getString(SnapshotNodeConfig.CONTROL_TOPIC);
        this.collectionTopic = config.getString(SnapshotNodeConfig.COLLECTION_TOPIC);
        this.statusTopic = config.getString(SnapshotNodeConfig.STATUS_TOPIC);
        this.maxPollWaitMs = config.getLong(SnapshotNodeConfig.MAX_POLL_WAIT_MS);
        this.stateDir = stateDir;
        this.incoming = incoming;
        this.outgoing = outgoing;
        this.handler = handler;
        this.onStart = onStart;
        this.timers = timers;
        this.meters = meters;
        this.polls = Counter.builder("kafkasnap.loop.polls").tag("process", processId)
                .description("times the event loop polled its consumer: about one per batch of records, timer"
                        + " run or client outcome; far more means the loop spins").register(meters);
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
            store = NodeStore.open(stateDir, config.getBoolean(SnapshotNodeConfig.STORE_SYNC));
            prepareTopics();
            controlProducer = producer("-control");
            statusProducer = producer("-status");
            fragmentProducer = producer("-fragments");
            control = new ControlWriter(processId, controlTopic, controlProducer);
            control.onWritten(record -> post(() -> engine.onControlWritten(record)));
            status = new StatusReporter(processId, statusTopic, statusProducer);
            channelOutput = new KafkaChannelOutput(producer(""), new KafkaChannelOutput.Outcomes() {
                @Override
                public void acknowledged(long id, long attempt, long offset) {
                    acknowledgements.add(id, attempt, offset);
                    // Most acknowledgements only let the outbox forget: the next step takes them with its work.
                    if (acknowledgementsAwaited) {
                        wake();
                    }
                    // A loop waiting for room waits on the task queue: one wake-up there is enough for a batch.
                    if (waitingForRoom && tasks.isEmpty()) {
                        tasks.offer(WAKE::run);
                    }
                }

                @Override
                public void failed(long id, long attempt, Exception cause, boolean retriable) {
                    post(() -> engine.onSendFailed(id, attempt, cause, retriable));
                }
            });
            publisher = new FragmentPublisher(processId, collectionTopic,
                    config.getInt(SnapshotNodeConfig.CHUNK_BYTES),
                    config.getInt(SnapshotNodeConfig.FRAGMENT_FULL_EVERY), store, fragmentProducer,
                    new FragmentPublisher.Outcome() {
                        @Override
                        public void published(long snapshot, int chunks, long bytes) {
                            post(() -> engine.onFragmentPublished(snapshot, chunks));
                        }

                        @Override
                        public void failed(long snapshot, Throwable cause) {
                            post(() -> engine.onFragmentFailed(snapshot, cause));
                        }
                    }, meters, Time.SYSTEM);
            snapshotSource = new KafkaSnapshotSource(processId, incoming, kafka, collectionTopic,
                    new KafkaSnapshotSource.Outcome() {
                        @Override
                        public void loaded(long epoch, io.kafkasnap.engine.RestoreTarget target) {
                            post(() -> engine.onRestoreTargetLoaded(epoch, target));
                        }

                        @Override
                        public void failed(long epoch, Throwable cause) {
                            post(() -> engine.onRestoreTargetFailed(epoch, cause));
                        }
                    });
            consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            engine = new NodeEngine(new NodeEngine.Settings(processId, incoming, outgoing, handler, onStart, timers,
                    config.getLong(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS),
                    config.getInt(SnapshotNodeConfig.SNAPSHOT_MAX_CONCURRENT),
                    config.getInt(SnapshotNodeConfig.OUTBOX_MAX_RECORDS),
                    config.getLong(SnapshotNodeConfig.STATUS_INTERVAL_MS), RESTORE_RETRY_MS,
                    config.getInt(SnapshotNodeConfig.SNAPSHOT_ALIGN_MAX_LAG),
                    config.getLong(SnapshotNodeConfig.SNAPSHOT_ALIGN_TIMEOUT_MS)),
                    store, new NodeEngine.Ports(channelOutput, control, publisher, snapshotSource,
                    new ConsumerInput(), status), Time.SYSTEM, meters).onRestore(restoreListener);
            long joinOffset = control.writeAndWait(
                    new ControlRecord.Join(processId, List.copyOf(incoming), List.copyOf(outgoing)), CLOSE_TIMEOUT);
            joined = true;
            long actFrom = engine.actFrom(joinOffset);
            catchUpControl(actFrom);
            Map<String, Long> positions = engine.open(actFrom, beginnings(),
                    engine.isFresh() ? lastOutEpochs() : Map.of(), this::holdsStartOf);
            List<TopicPartition> assigned = new ArrayList<>();
            assigned.add(new TopicPartition(controlTopic, 0));
            incoming.forEach(topic -> assigned.add(new TopicPartition(topic, 0)));
            consumer.assign(assigned);
            consumer.seek(new TopicPartition(controlTopic, 0), actFrom);
            positions.forEach((topic, offset) -> consumer.seek(new TopicPartition(topic, 0), offset));
            running = true;
            thread = daemon(this::loop, "kafkasnap-" + processId);
            engine.bindTo(thread);
            thread.start();
            started.await();
        } catch (Exception e) {
            running = false;
            if (thread == null) {
                announceLeaving();
                closeResources();
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException(processId + " could not start: " + e.getMessage(), e);
        }
        if (failure != null) {
            try {
                thread.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            return;
        }
        running = false;
        consumer.wakeup();
        tasks.offer(WAKE::run);
        if (loopThread == Thread.currentThread()) {
            return; // from a handler or the failure listener: the loop ends after this step, and cannot wait for itself
        }
        try {
            loopThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void prepareTopics() throws Exception {
        boolean create = config.getBoolean(SnapshotNodeConfig.CREATE_TOPICS);
        try (Admin admin = Admin.create(new HashMap<>(kafka))) {
            Map<String, Map<String, String>> topics = new LinkedHashMap<>();
            topics.put(controlTopic, Topics.KEEP_FOREVER);
            topics.put(collectionTopic, Topics.KEEP_FOREVER);
            Stream.concat(incoming.stream(), outgoing.stream()).forEach(t -> topics.put(t, Map.of()));
            int factor = config.getInt(SnapshotNodeConfig.REPLICATION_FACTOR);
            Optional<Short> replication = factor < 0 ? Optional.empty() : Optional.of((short) factor);
            Topics.requireSinglePartition(admin, topics, create, replication);
            try {
                Topics.requireSinglePartition(admin, Map.of(statusTopic, Topics.COMPACTED), create, replication);
            } catch (RuntimeException e) {
                // Monitoring only: a node runs without it, and says why once.
                log.warn("{}: cannot use the status topic {} ({}); status reports will fail until it exists and"
                        + " this node may write it", processId, statusTopic, e.getMessage());
            }
            int chunk = config.getInt(SnapshotNodeConfig.CHUNK_BYTES);
            Optional<String> limit = Topics.config(admin, collectionTopic, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            // A chunk travels with its key and headers; leave them room, or every fragment would fail later.
            if (limit.isPresent() && chunk + 4096 > Long.parseLong(limit.get())) {
                throw new IllegalStateException(SnapshotNodeConfig.CHUNK_BYTES + "=" + chunk + " does not fit in "
                        + "the collection topic " + collectionTopic + "'s max.message.bytes=" + limit.get()
                        + " with 4 KiB to spare for key and headers; lower the chunk size or raise the topic's limit");
            }
        }
    }

    /** Reads the control topic from its start up to {@code actFrom}, for the history only. */
    private void catchUpControl(long actFrom) {
        TopicPartition partition = new TopicPartition(controlTopic, 0);
        consumer.assign(List.of(partition));
        long start = consumer.beginningOffsets(List.of(partition)).get(partition);
        if (start > 0) {
            log.warn("{}: the control topic {} starts at offset {}, not 0: joins before it are lost, so membership"
                    + " may be incomplete; create it with retention.ms=-1", processId, controlTopic, start);
        }
        consumer.seek(partition, start);
        TopicScan.readUpTo(consumer, partition, actFrom, CATCH_UP_TIMEOUT,
                record -> engine.catchUpControl(record.offset(), record.timestamp(), record.value()));
    }

    private Map<String, Long> beginnings() {
        Map<String, Long> beginnings = new HashMap<>();
        consumer.beginningOffsets(incoming.stream().map(topic -> new TopicPartition(topic, 0)).toList())
                .forEach((tp, offset) -> beginnings.put(tp.topic(), offset));
        return beginnings;
    }

    /** Reads an incoming channel from {@code from} until its start of {@code epoch} is judged there or gone. */
    private boolean holdsStartOf(String channel, long from, long epoch) {
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(kafka);
        TopicPartition partition = new TopicPartition(channel, 0);
        ChannelHeads.Judge judge = new ChannelHeads.Judge(epoch);
        try (KafkaConsumer<byte[], byte[]> reader = TopicScan.consumer(properties)) {
            reader.assign(List.of(partition));
            reader.seek(partition, from);
            long end = reader.endOffsets(List.of(partition)).get(partition);
            TopicScan.readUntil(reader, partition, end, CATCH_UP_TIMEOUT, record -> {
                ChannelHeaders.Sequence sequence;
                try {
                    sequence = ChannelHeaders.sequence(record.headers());
                } catch (IllegalArgumentException e) {
                    return false; // malformed headers: the node skips such a record and says so when it reads it
                }
                return sequence != null && judge.offer(sequence.epoch(), sequence.seq());
            });
        }
        return judge.holdsStart();
    }

    /** The epoch of the last record of each outgoing channel (-1 if empty), for a node that lost its state. */
    private Map<String, Long> lastOutEpochs() {
        Map<String, Long> epochs = new HashMap<>();
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(kafka);
        try (KafkaConsumer<byte[], byte[]> reader = TopicScan.consumer(properties)) {
            List<TopicPartition> partitions = outgoing.stream().map(t -> new TopicPartition(t, 0)).toList();
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
            Map<TopicPartition, Long> starts = reader.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition);
                epochs.put(partition.topic(), -1L);
                if (end > starts.get(partition)) {
                    reader.assign(List.of(partition));
                    reader.seek(partition, end - 1);
                    TopicScan.readUpTo(reader, partition, end, CATCH_UP_TIMEOUT, record -> epochs.put(
                            partition.topic(), ChannelHeaders.epoch(record.headers()).orElse(-1)));
                }
            }
        }
        return epochs;
    }

    private KafkaProducer<byte[], byte[]> producer(String suffix) {
        Map<String, Object> props = new HashMap<>(kafka);
        // One idempotent producer keeps app records and markers in outbox order on each channel, retries included.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG,
                kafka.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "kafkasnap-" + processId) + suffix);
        // Every snapshot waits for markers and fragments to cross a producer; lingering would add its delay
        // to each hop. Under load, batches still form while requests are in flight. A user's setting wins.
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A channel is one partition, so each produce request carries one batch of it: with Kafka's 16 KB, a busy
        // channel is held to a few hundred records per round trip. Larger batches cost nothing when idle (a batch
        // is sent as soon as the sender is free) and let a busy channel keep up. A user's setting wins.
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = new HashMap<>(kafka);
        // Positions are ours, kept in the store with the state; Kafka's group offsets are not used.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "kafkasnap-" + processId);
        return props;
    }

    // ---- the loop ----------------------------------------------------------------------------------------

    private void loop() {
        try {
            engine.firstStep();
        } catch (Throwable t) {
            fail("starting failed", t);
        } finally {
            started.countDown();
        }
        try {
            while (running) {
                step();
            }
        } catch (Throwable t) {
            fail(t instanceof StoreException ? "the state store failed" : "the event loop failed", t);
        } finally {
            shutDown();
        }
        if (failure != null && failureListener != null) {
            try {
                failureListener.accept(failure);
            } catch (RuntimeException e) {
                log.warn("{}: the failure listener threw", processId, e);
            }
        }
    }

    private static long ceilMillis(long nanos) {
        return (nanos + 999_999) / 1_000_000;
    }

    /** One iteration: client outcomes, due work, one poll batch; then the one commit. */
    private void step() throws Exception {
        runTasks();
        engine.tick();
        if (engine.isFull()) {
            waitingForRoom = true;
            LoopTask task = tasks.poll(maxPollWaitMs, TimeUnit.MILLISECONDS);
            waitingForRoom = false;
            if (task != null) {
                task.run();
            }
        } else {
            ConsumerRecords<byte[], byte[]> records;
            try {
                boolean outcomesWaiting = !tasks.isEmpty()
                        || acknowledgementsAwaited && !acknowledgements.isEmpty();
                // Rounded up: a timer due in 0.6 ms truncated to a 0 ms poll would spin the loop until it is due,
                // burning a core and allocating a poll's garbage each time round; it runs up to 1 ms late instead.
                long wait = !outcomesWaiting ? ceilMillis(
                        engine.nanosUntilDue(TimeUnit.MILLISECONDS.toNanos(maxPollWaitMs))) : 0;
                polls.increment();
                records = consumer.poll(Duration.ofMillis(wait));
            } catch (WakeupException e) {
                records = ConsumerRecords.empty();
            }
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (record.topic().equals(controlTopic)) {
                        engine.onControlRecord(record.offset(), record.timestamp(), record.value());
                    } else {
                        engine.onChannelRecord(new InputRecord(record.topic(), record.offset(), record.key(),
                                record.value(), record.timestamp(), record.headers()));
                    }
                }
            }
        }
        engine.endStep();
        // Before the next poll's wait is computed from acknowledgements.isEmpty(): an acknowledgement added after
        // that check sees this flag (both are synchronised), so one the engine waits for always cuts the poll short.
        acknowledgementsAwaited = engine.awaitsAcknowledgements();
    }

    private void runTasks() throws Exception {
        wakeRequested.set(false);
        // Before the tasks, so an acknowledgement may overtake a failure that came before it: the outbox judges each
        // outcome by its entry's attempt, in whatever order outcomes come (the simulation delivers them out of order).
        acknowledgements.drainTo(engine::onSendAcknowledged);
        LoopTask task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }

    /** Runs {@code task} on the loop; safe from any thread. */
    private void post(LoopTask task) {
        tasks.add(task);
        wake();
    }

    private void wake() {
        if (!wakeRequested.getAndSet(true)) {
            consumer.wakeup();
        }
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
        if (failure == null) {
            try {
                engine.stop();
                channelOutput.flush(CLOSE_TIMEOUT);
                runTasks();
                engine.endStep();
                status.tombstone();
            } catch (Exception e) {
                log.warn("{}: could not finish its last step cleanly: {}", processId, e.toString());
            }
        }
        announceLeaving();
        closeResources();
        log.info("{} stopped", processId);
    }

    /** After a join, always leave, so that later snapshots do not wait for a node that is gone. */
    private void announceLeaving() {
        if (!joined) {
            return;
        }
        try {
            control.writeAndWait(new ControlRecord.Leave(processId), CLOSE_TIMEOUT);
            joined = false;
        } catch (Exception e) {
            log.warn("{}: could not announce leaving: {}", processId, e.toString());
        }
    }

    private void closeResources() {
        if (publisher != null) {
            publisher.close(); // cancels and waits: nothing reads a capture after this
        }
        if (snapshotSource != null) {
            snapshotSource.close();
        }
        if (channelOutput != null) {
            channelOutput.close();
        }
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
        for (KafkaProducer<byte[], byte[]> producer : new KafkaProducer[] {controlProducer, statusProducer,
                fragmentProducer}) {
            if (producer != null) {
                producer.close(CLOSE_TIMEOUT);
            }
        }
        if (engine != null) {
            engine.releaseCaptures();
        }
        if (store != null) {
            store.close();
        }
    }

    private final class ConsumerInput implements InputControl {
        @Override
        public void pause(String channel) {
            consumer.pause(List.of(new TopicPartition(channel, 0)));
        }

        @Override
        public void resume(String channel, long position) {
            TopicPartition partition = new TopicPartition(channel, 0);
            consumer.seek(partition, position);
            consumer.resume(List.of(partition));
        }

        @Override
        public long lag(String channel) {
            return consumer.currentLag(new TopicPartition(channel, 0)).orElse(-1);
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread t = new Thread(runnable, name);
        t.setDaemon(true);
        return t;
    }
}
