package io.kafkasnap.schedule;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers snapshots periodically and reports each result, with the knobs of Flink's
 * {@code execution.checkpointing.*}: interval, timeout, max concurrent, min pause between snapshots.
 *
 * <p>Several schedulers may run for one group (one per dashboard, say). Each reads the control topic and does not
 * trigger while any trigger there, its own or another's, is younger than the interval, so two schedulers do not
 * double the rate. Each waits a small random extra delay (at most a fifth of the interval) before triggering, both
 * after the interval and after its own last snapshot finished, so that two schedulers that saw the same last trigger,
 * or whose snapshots finished together, do not fire at the same moment again and again. (Snapshots that take longer
 * than the interval finish together, since the nodes take them together; without the delay after the finish, both
 * schedulers then fired in the same millisecond every time.)
 *
 * <p>Runs on its own thread from {@link #start()} to {@link #close()}; the listener is called on that thread.
 */
public final class SnapshotScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotScheduler.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);
    /** After its timeout the collector reports a snapshot timed-out; past this extra grace we stop waiting. */
    private static final long GRACE_MS = 10_000;

    /** What a scheduler reports; called on the scheduler's thread, so keep it short. */
    public interface Listener {
        /** A snapshot this scheduler triggered has been assembled, whatever its status. */
        void onResult(GlobalSnapshot snapshot);

        /** A snapshot this scheduler triggered was not assembled even {@code timeout} plus a grace after it. */
        default void onLost(long snapshotId) {
        }

        /** This scheduler wrote a trigger. */
        default void onTriggered(long snapshotId) {
        }
    }

    private final Builder config;
    private final Clock clock;
    private final Random random;
    private final Thread thread;
    private final Map<Long, Long> pending = new LinkedHashMap<>();
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile long triggered;
    private SnapshotCollector collector;
    private KafkaConsumer<byte[], byte[]> control;
    private KafkaProducer<byte[], byte[]> producer;
    private TopicPartition controlPartition;
    private long lastTriggerAt = Long.MIN_VALUE;
    private long lastFinishedAt = Long.MIN_VALUE;
    private long jitter;

    private SnapshotScheduler(Builder builder) {
        this.config = builder;
        this.clock = builder.clock;
        this.random = new Random(builder.seed);
        this.thread = new Thread(this::run, "kafkasnap-scheduler");
        this.thread.setDaemon(true);
    }

    public static Builder builder(Properties clientProperties) {
        return new Builder(clientProperties);
    }

    /** Starts the scheduler's thread; the first trigger comes once the control topic has been read to its end. */
    public SnapshotScheduler start() {
        collector = SnapshotCollector.builder(config.clientProperties).controlTopic(config.controlTopic)
                .collectionTopic(config.collectionTopic).timeout(config.timeout).clock(clock)
                // results go to the listener as they come; nothing is looked up later
                .keepInFull(1).build();
        Properties props = new Properties();
        props.putAll(config.clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        control = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        controlPartition = new TopicPartition(config.controlTopic, 0);
        control.assign(List.of(controlPartition));
        control.seekToBeginning(List.of(controlPartition));
        Properties producerProps = new Properties();
        producerProps.putAll(config.clientProperties);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
        jitter = nextJitter();
        thread.start();
        return this;
    }

    /** How many triggers this scheduler has written. */
    public long triggered() {
        return triggered;
    }

    /** Why the scheduler's thread stopped, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    private long nextJitter() {
        long fifth = config.interval.toMillis() / 5;
        return fifth <= 0 ? 0 : (long) (random.nextDouble() * fifth);
    }

    private void run() {
        try {
            while (!closed) {
                readControl(POLL);
                for (GlobalSnapshot snapshot : collector.poll(Duration.ZERO)) {
                    if (pending.remove(snapshot.snapshot()) != null) {
                        lastFinishedAt = clock.millis();
                        config.listener.onResult(snapshot);
                    }
                }
                expireLost();
                if (due() && caughtUp() && due()) {
                    long id = trigger();
                    triggered++;
                    pending.put(id, clock.millis());
                    jitter = nextJitter();
                    config.listener.onTriggered(id);
                    // our own trigger, read back, sets lastTriggerAt with the record's timestamp
                    lastTriggerAt = Math.max(lastTriggerAt, clock.millis());
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (!closed) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("snapshot scheduler stopped", e);
        }
    }

    /**
     * Writes a trigger with the scheduler's own long-lived producer: a fresh producer per trigger would take long
     * enough to open that two schedulers could both decide to trigger inside that time.
     */
    private long trigger() {
        byte[] json = new ControlRecord.Trigger(config.initiator).toJson();
        try {
            return producer.send(new ProducerRecord<>(config.controlTopic, 0, null, json)).get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing a trigger to " + config.controlTopic, e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot write a trigger to " + config.controlTopic + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private void readControl(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : control.poll(timeout)) {
            try {
                if (ControlRecord.parse(record.value()) instanceof ControlRecord.Trigger) {
                    lastTriggerAt = Math.max(lastTriggerAt, record.timestamp());
                }
            } catch (MalformedControlRecordException e) {
                // not ours to judge; nodes and the collector log it
            }
        }
    }

    private boolean due() {
        long now = clock.millis();
        if (pending.size() >= config.maxConcurrent) {
            return false;
        }
        if (lastTriggerAt != Long.MIN_VALUE && now < lastTriggerAt + config.interval.toMillis() + jitter) {
            return false;
        }
        return lastFinishedAt == Long.MIN_VALUE || now >= lastFinishedAt + config.minPause.toMillis() + jitter;
    }

    /** Reads the control topic to its end, so that a trigger another scheduler just wrote is seen first. */
    private boolean caughtUp() {
        try {
            Long end = control.endOffsets(List.of(controlPartition), KAFKA_TIMEOUT).get(controlPartition);
            while (end != null && control.position(controlPartition, KAFKA_TIMEOUT) < end && !closed) {
                readControl(POLL);
            }
            return end != null;
        } catch (KafkaException e) {
            LOG.warn("cannot read {} to its end, not triggering now: {}", config.controlTopic, e.getMessage());
            return false;
        }
    }

    private void expireLost() {
        long now = clock.millis();
        Iterator<Map.Entry<Long, Long>> it = pending.entrySet().iterator();
        List<Long> lost = new ArrayList<>();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (now > e.getValue() + config.timeout.toMillis() + GRACE_MS) {
                it.remove();
                lost.add(e.getKey());
            }
        }
        lost.forEach(id -> {
            lastFinishedAt = now;
            config.listener.onLost(id);
        });
    }

    @Override
    public void close() {
        closed = true;
        if (control != null) {
            control.wakeup();
        }
        if (thread.isAlive()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (control != null) {
            control.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (collector != null) {
            collector.close();
        }
    }

    /** Every setting but the interval has a default. */
    public static final class Builder {
        private final Properties clientProperties = new Properties();
        private String controlTopic = SnapshotCollector.DEFAULT_CONTROL_TOPIC;
        private String collectionTopic = SnapshotCollector.DEFAULT_COLLECTION_TOPIC;
        private Duration interval;
        private Duration timeout = SnapshotCollector.DEFAULT_TIMEOUT;
        private int maxConcurrent = 1;
        private Duration minPause = Duration.ZERO;
        private Optional<String> initiator = Optional.empty();
        private Listener listener = snapshot -> { };
        private Clock clock = Clock.systemUTC();
        private long seed = System.nanoTime();

        private Builder(Properties clientProperties) {
            this.clientProperties.putAll(Objects.requireNonNull(clientProperties, "clientProperties"));
        }

        public Builder controlTopic(String topic) {
            this.controlTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        public Builder collectionTopic(String topic) {
            this.collectionTopic = Objects.requireNonNull(topic, "topic");
            return this;
        }

        /** Least time between two triggers on the control topic, whoever wrote them (Flink: interval). */
        public Builder interval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive, got " + interval);
            }
            this.interval = interval;
            return this;
        }

        /** A snapshot not assembled this long after its trigger is reported timed-out (Flink: timeout). */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Snapshots of this scheduler that may be unfinished at once (Flink: max-concurrent-checkpoints). */
        public Builder maxConcurrent(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrent must be at least 1, got " + max);
            }
            this.maxConcurrent = max;
            return this;
        }

        /** Least time from a snapshot's end to the next trigger (Flink: min-pause). */
        public Builder minPause(Duration pause) {
            if (pause == null || pause.isNegative()) {
                throw new IllegalArgumentException("minPause must not be negative, got " + pause);
            }
            this.minPause = pause;
            return this;
        }

        /** Have this member start every snapshot; by default every member starts at once. */
        public Builder initiator(String processId) {
            this.initiator = Optional.of(processId);
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Seeds the random extra delay before each trigger (for tests that want a repeatable run). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public SnapshotScheduler build() {
            if (interval == null) {
                throw new IllegalStateException("interval is required");
            }
            return new SnapshotScheduler(this);
        }
    }
}
