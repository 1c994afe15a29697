package io.kafkasnap.node;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.TopicScan;
import io.kafkasnap.kafka.Topics;
import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.StoreException;
import io.micrometer.core.instrument.Gauge;
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
 * The event loop behind {@link SnapshotNode}, and the owner of its resources. One thread owns the consumer and runs
 * everything that touches state or sends, one step at a time: the tasks other threads posted, due timers, one poll
 * batch. Between two events the state is quiescent, which is where a snapshot is captured. The jobs are each their
 * own class: {@link StepRunner} commits a step, {@link OutboxDrainer} sends what a step committed,
 * {@link ChannelInput} takes channel records (with {@link ChannelSequences} dropping re-sends),
 * {@link ControlDispatcher} reads the control topic, {@link SnapshotSteps} does what the protocol asks,
 * {@link FragmentPublisher} publishes fragments, {@link RestoreStep} applies a restore.
 */
final class NodeRuntime {

    record Periodic(Duration period, NodeTask task) {
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
    private static final Runnable WAKE = () -> { };

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
    private final List<ScheduledTimer> timers = new ArrayList<>();
    private final long maxPollWaitMs;

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final CountDownLatch started = new CountDownLatch(1);

    private final MeterRegistry meters;

    private NodeStore store;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> sideProducer;
    private OutboxDrainer drainer;
    private FragmentPublisher publisher;
    private ControlWriter control;
    private StatusReporter status;
    private StepRunner steps;
    private ChannelSequences sequences;
    private ControlDispatcher dispatcher;
    private SnapshotSteps snapshots;
    private SnapshotProtocol protocol;
    private RestoreStep restorer;
    private ChannelInput input;
    private HandlerContext context;
    private Thread thread;
    private boolean joined;
    /** No previous run left a control position: a new process, or one whose state directory was lost. */
    private boolean fresh;
    private volatile boolean waitingForRoom;
    private volatile boolean running;
    private volatile Throwable failure;
    private boolean closed;
    private long epoch;

    NodeRuntime(String processId, Map<String, Object> kafka, SnapshotNodeConfig config, Path stateDir,
                Set<String> incoming, Set<String> outgoing, RecordHandler handler, List<NodeTask> onStart,
                List<Periodic> timers, MeterRegistry meters) {
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
        timers.forEach(t -> this.timers.add(new ScheduledTimer(t)));
        this.meters = meters;

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
            sideProducer = new KafkaProducer<>(producerProperties("-snapshots"), new ByteArraySerializer(),
                    new ByteArraySerializer());
            control = new ControlWriter(processId, controlTopic, sideProducer);
            consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            long joinOffset = control.writeAndWait(
                    new ControlRecord.Join(processId, List.copyOf(incoming), List.copyOf(outgoing)), CLOSE_TIMEOUT);
            joined = true;
            // A stored position past our own join belongs to another incarnation of the control topic.
            long actFrom = Math.min(store.controlPosition().orElse(joinOffset + 1), joinOffset + 1);
            fresh = store.controlPosition().isEmpty();
            dispatcher = new ControlDispatcher(processId, incoming, new ControlActions());
            catchUpControl(actFrom);
            Map<String, Long> positions = startingPositions();
            epoch = store.epoch();
            sequences = new ChannelSequences(store.applied());
            drainer = new OutboxDrainer(processId,
                    () -> new KafkaProducer<>(producerProperties(""), new ByteArraySerializer(),
                            new ByteArraySerializer()),
                    new DrainerEvents(), config.getInt(SnapshotNodeConfig.OUTBOX_MAX_RECORDS));
            steps = new StepRunner(store, drainer, () -> epoch, List.of(
                    s -> s.putPositions(protocol.positions()),
                    sequences::writeTo,
                    s -> s.putControlPosition(dispatcher.nextOffset()),
                    drainer::deleteAcknowledged));
            snapshots = new SnapshotSteps(processId, outgoing, store, steps, sequences, control, new LoopPort(),
                    config.getLong(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS), meters);
            publisher = new FragmentPublisher(processId, collectionTopic,
                    config.getInt(SnapshotNodeConfig.CHUNK_BYTES), store, sideProducer, new PublisherEvents(), meters);
            snapshots.setPublisher(publisher);
            status = new StatusReporter(processId, statusTopic, sideProducer,
                    config.getLong(SnapshotNodeConfig.STATUS_INTERVAL_MS));
            // Snapshots triggered before the point this node acts from are not its business: a fresh node was not
            // a member, a restarted one finished or lost them (and aborts those below).
            protocol = new SnapshotProtocol(processId, positions, outgoing, actFrom,
                    config.getInt(SnapshotNodeConfig.SNAPSHOT_MAX_CONCURRENT), snapshots);
            context = new HandlerContext(processId, incoming, outgoing, store, steps);
            input = new ChannelInput(processId, protocol, sequences, new ConsumerChannels(), () -> epoch, handler,
                    context, steps, meters);
            restorer = new RestoreStep(processId, incoming, outgoing, kafka, controlTopic, collectionTopic, store,
                    steps, sequences, snapshots, drainer, new RestorePort());
            Gauge.builder("kafkasnap.outbox.depth", drainer, OutboxDrainer::depth).tags("process", processId)
                    .description("records sent on channels and not yet acknowledged").register(meters);
            List<TopicPartition> assigned = new ArrayList<>();
            assigned.add(new TopicPartition(controlTopic, 0));
            incoming.forEach(topic -> assigned.add(new TopicPartition(topic, 0)));
            consumer.assign(assigned);
            consumer.seek(new TopicPartition(controlTopic, 0), actFrom);
            positions.forEach((topic, offset) -> consumer.seek(new TopicPartition(topic, 0), offset));
            running = true;
            thread = daemon(this::loop, "kafkasnap-" + processId);
            context.bindTo(thread);
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
        tasks.offer(WAKE);
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

    /** Reads the control topic from its start up to {@code actFrom}, for the membership only. */
    private void catchUpControl(long actFrom) {
        TopicPartition control = new TopicPartition(controlTopic, 0);
        consumer.assign(List.of(control));
        long start = consumer.beginningOffsets(List.of(control)).get(control);
        if (start > 0) {
            log.warn("{}: the control topic {} starts at offset {}, not 0: joins before it are lost, so membership"
                    + " may be incomplete; create it with retention.ms=-1", processId, controlTopic, start);
        }
        consumer.seek(control, start);
        TopicScan.readUpTo(consumer, control, actFrom, CATCH_UP_TIMEOUT,
                record -> dispatcher.catchUp(record.offset(), record.timestamp(), record.value()));
        dispatcher.actFrom(actFrom);
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

    private Map<String, Object> producerProperties(String suffix) {
        Map<String, Object> props = new HashMap<>(kafka);
        // One idempotent producer keeps app records and markers in outbox order on each channel, retries included.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.CLIENT_ID_CONFIG,
                kafka.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "kafkasnap-" + processId) + suffix);
        // Every snapshot waits for markers and fragments to cross a producer; lingering would add its delay
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
            firstStep();
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
    }

    /** Gives up what a crash lost, sends again what a previous run had not seen acknowledged, runs onStart. */
    private void firstStep() throws Exception {
        snapshots.abortLost(store.inFlight());
        drainer.send(store.outbox());
        for (NodeTask task : onStart) {
            task.run(context);
        }
        long[] pending = store.restoredPending();
        if (pending != null) {
            announceRestored(pending[0], pending[1]);
        }
        // A restore written while this node was not running, before its join: a node whose state was lost
        // rebuilds its part from the collection topic, a new node enters the epoch with its own state.
        var restore = dispatcher.latestRestoreCaughtUp();
        if (restore.isPresent() && restore.get().getKey() > epoch) {
            applyRestore(restore.get().getKey(), restore.get().getValue(), fresh);
        }
        steps.commit();
    }

    private void applyRestore(long restoreEpoch, ControlRecord.Restore restore, boolean joinedLater)
            throws Exception {
        if (restorer.apply(restoreEpoch, restore.snapshot(), restore.allowNewMembers(), joinedLater)) {
            long snapshot = restore.snapshot();
            steps.afterCommit(() -> announceRestored(restoreEpoch, snapshot));
            // Records of the new epoch waited for this node to enter it; now they are next.
            input.releaseHeld(protocol.positions());
            status.report(System.nanoTime(), epoch, protocol.positions(), drainer.depth(), snapshots.inFlight());
        }
    }

    private void announceRestored(long restoreEpoch, long snapshot) {
        control.write(new ControlRecord.Restored(processId, restoreEpoch, snapshot), () -> post(() -> {
            long[] pending = store.restoredPending();
            if (pending != null && pending[0] == restoreEpoch) {
                store.clearRestoredPending();
            }
        }));
    }

    private void step() throws Exception {
        runTasks();
        drainer.resetIfRequested();
        long now = System.nanoTime();
        snapshots.abortOverdue(now);
        if (status.isDue(now)) {
            status.report(now, epoch, protocol.positions(), drainer.depth(), snapshots.inFlight());
        }
        if (drainer.isFull(steps.pendingSends())) {
            waitingForRoom = true;
            Runnable task = tasks.poll(maxPollWaitMs, TimeUnit.MILLISECONDS);
            waitingForRoom = false;
            if (task != null) {
                task.run();
            }
        } else {
            runDueTimers();
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(Duration.ofMillis(pollWaitMillis()));
            } catch (WakeupException e) {
                records = ConsumerRecords.empty();
            }
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    dispatch(record);
                }
            }
        }
        steps.commit();
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(controlTopic)) {
            dispatcher.dispatch(record.offset(), record.timestamp(), record.value());
        } else {
            input.accept(record);
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
                steps.mark();
                try {
                    timer.timer.task().run(context);
                    steps.release();
                } catch (StoreException e) {
                    throw e;
                } catch (Exception e) {
                    steps.rollback();
                    input.countHandlerFailure();
                    log.error("{}: a timer task failed; its state changes and sends were undone", processId, e);
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
        if (failure == null) {
            try {
                // What is still recording here cannot finish: tell the members, then send everything committed.
                snapshots.abortRecording(AbortReason.NODE_STOPPED, processId + " stopped");
                steps.commit();
                drainer.flush(CLOSE_TIMEOUT);
                steps.commit();
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
        if (drainer != null) {
            drainer.close();
        }
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
        if (sideProducer != null) {
            sideProducer.close(CLOSE_TIMEOUT);
        }
        if (snapshots != null) {
            snapshots.releaseCaptures();
        }
        if (store != null) {
            store.close();
        }
    }

    // ---- ports -------------------------------------------------------------------------------------------

    /** What the snapshot steps see of the loop. */
    private final class LoopPort implements SnapshotSteps.Loop {
        @Override
        public void post(Runnable task) {
            NodeRuntime.this.post(task);
        }

        @Override
        public SnapshotProtocol protocol() {
            return protocol;
        }

        @Override
        public ConsumerRecord<byte[], byte[]> current() {
            return input.current();
        }
    }

    private final class DrainerEvents implements OutboxDrainer.Listener {
        @Override
        public void markerAcknowledged(long snapshot, String channel, long offset) {
            post(() -> protocol.onMarkerSent(snapshot, channel, offset));
        }

        @Override
        public void permanentFailure(String channel, Exception cause) {
            post(() -> {
                throw new IllegalStateException("sending on channel " + channel + " failed for good ("
                        + cause + "); the record stays in the outbox and is sent again at restart, so the channel"
                        + " has no gap", cause);
            });
        }

        @Override
        public void wake() {
            if (waitingForRoom) {
                tasks.offer(WAKE);
            }
        }
    }

    private final class PublisherEvents implements FragmentPublisher.Outcome {
        @Override
        public void published(long snapshot, int chunks, long bytes) {
            post(() -> snapshots.published(snapshot, chunks));
        }

        @Override
        public void failed(long snapshot, Throwable cause) {
            post(() -> snapshots.publishFailed(snapshot, cause));
        }
    }

    private final class ConsumerChannels implements ChannelInput.Channels {
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
    }

    private final class ControlActions implements ControlDispatcher.Actions {
        @Override
        public void trigger(long snapshot, Optional<String> initiator, Set<String> awaited, long triggeredAt) {
            long age = System.currentTimeMillis() - triggeredAt;
            if (age > config.getLong(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS)) {
                // Read late (after a long stop): its members gave it up long ago.
                log.info("{}: snapshot {} was triggered {} ms ago, past the snapshot timeout; not taking part",
                        processId, snapshot, age);
                protocol.abort(snapshot);
                return;
            }
            protocol.onTrigger(snapshot, initiator.orElse(null), awaited);
        }

        @Override
        public void notAMember(long snapshot) {
            if (protocol.onNotAMember(snapshot)) {
                // A marker started it before the trigger was read, which says this node had left by then.
                snapshots.discard(snapshot);
            }
        }

        @Override
        public void aborted(ControlRecord.Abort abort) {
            snapshots.aborted(abort);
        }

        @Override
        public void restore(long restoreEpoch, ControlRecord.Restore restore) {
            try {
                applyRestore(restoreEpoch, restore, false);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("the restore at control offset " + restoreEpoch + " failed: " + e, e);
            }
        }

        @Override
        public void restored(ControlRecord.Restored restored) {
            // Progress of a restore is for the collector to show; a node acts on the restore record itself.
        }
    }

    private final class RestorePort implements RestoreStep.Runtime {
        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public void enterEpoch(long newEpoch) {
            epoch = newEpoch;
            store.putEpoch(newEpoch);
        }

        @Override
        public void handle(IncomingRecord record) {
            input.handle(record, "the restored snapshot's recorded message ");
        }

        @Override
        public void runOnStart() throws Exception {
            for (NodeTask task : onStart) {
                task.run(context);
            }
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
