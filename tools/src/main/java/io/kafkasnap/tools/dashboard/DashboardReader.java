package io.kafkasnap.tools.dashboard;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.tools.SnapshotCheck;
import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.tools.common.CollectorFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's one Kafka thread: a {@link SnapshotCollector} assembles snapshots, and a second consumer reads
 * the control topic (topology, triggers), the collection topic (fragment keys and sizes, for progress; the values
 * are not parsed) and the status topic once it exists. Every few seconds it samples the channels' end offsets.
 */
final class DashboardReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardReader.class);
    static final String CHUNK_HEADER = "kafkasnap-chunk";
    private static final long SAMPLE_EVERY_MS = 2_000;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    /** What the reader tells the server about; called on the reader thread. */
    interface Events {
        /** A snapshot newly assembled. */
        void assembled(SnapshotSummary summary);

        /** A summary that changed (its fragment bytes were counted after it was assembled). */
        void snapshot(SnapshotSummary summary);

        void topology();

        void progress();

        /** A restore was written, or members restored. */
        void restores();
    }

    private final DashboardState state;
    private final Dashboard.Config config;
    private final Events events;
    private final SnapshotChecks check;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Throwable failure;
    private KafkaConsumer<byte[], byte[]> side;
    private SnapshotCollector collector;

    DashboardReader(DashboardState state, Dashboard.Config config, SnapshotChecks check, Events events) {
        this.state = state;
        this.config = config;
        this.check = check;
        this.events = events;
        this.thread = new Thread(this::run, "kafkasnap-dashboard-reader");
        this.thread.setDaemon(true);
    }

    void start() {
        Properties props = new Properties();
        props.putAll(config.kafka());
        collector = SnapshotCollector.builder(props).controlTopic(config.controlTopic())
                .collectionTopic(config.collectionTopic()).timeout(config.snapshotTimeout())
                // the dashboard keeps its own last snapshots in full; the collector need not keep them too
                .keepInFull(1).keepSummaries(1).build();
        Properties sideProps = new Properties();
        sideProps.putAll(config.kafka());
        sideProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        side = new KafkaConsumer<>(sideProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        assign(false);
        thread.start();
    }

    private boolean statusAssigned;

    private void assign(boolean withStatus) {
        List<TopicPartition> partitions = new ArrayList<>(List.of(new TopicPartition(config.controlTopic(), 0),
                new TopicPartition(config.collectionTopic(), 0)));
        Set<TopicPartition> old = side.assignment();
        if (withStatus) {
            partitions.add(new TopicPartition(config.statusTopic(), 0));
        }
        side.assign(partitions);
        for (TopicPartition p : partitions) {
            if (!old.contains(p)) {
                side.seekToBeginning(List.of(p));
            }
        }
        statusAssigned = withStatus;
    }

    Throwable failure() {
        return failure;
    }

    private void run() {
        long nextSample = 0;
        try {
            while (!closed) {
                for (GlobalSnapshot snapshot : collector.poll(Duration.ofMillis(100))) {
                    SnapshotCheck.Verdict verdict = check.all().isEmpty() || snapshot.status() == GlobalSnapshot.Status.PRUNED
                            ? null : check.check(CollectorFeed.view(snapshot)).orElse(null);
                    events.assembled(state.onAssembled(snapshot, verdict, System.currentTimeMillis()));
                    events.progress();
                }
                boolean topologyChanged = false;
                boolean progressChanged = false;
                for (ConsumerRecord<byte[], byte[]> record : side.poll(Duration.ofMillis(100))) {
                    if (record.topic().equals(config.controlTopic())) {
                        if (state.onControl(record.offset(), record.timestamp(), record.value())) {
                            topologyChanged = true;
                            progressChanged = true;
                        }
                    } else if (record.topic().equals(config.collectionTopic())) {
                        Header chunk = record.headers().lastHeader(CHUNK_HEADER);
                        state.onFragmentRecord(record.key(), record.value() == null ? 0 : record.value().length,
                                        chunk == null ? null : new String(chunk.value(),
                                                java.nio.charset.StandardCharsets.UTF_8))
                                .ifPresent(events::snapshot);
                        progressChanged = true;
                    } else if (record.key() != null) {
                        state.onStatus(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8),
                                record.value());
                        topologyChanged = true;
                    }
                }
                long now = System.currentTimeMillis();
                if (now >= nextSample) {
                    nextSample = now + SAMPLE_EVERY_MS;
                    sample(now);
                    topologyChanged = true;
                    progressChanged |= state.hasProgress();
                }
                if (topologyChanged) {
                    events.topology();
                }
                if (progressChanged) {
                    events.progress();
                }
                if (state.takeRestoresChanged()) {
                    events.restores();
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (!closed) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("dashboard reader stopped", e);
        }
    }

    /** End offsets of the channels that exist; assigns the status topic once it does. */
    private void sample(long now) {
        try {
            Map<String, List<org.apache.kafka.common.PartitionInfo>> topics = side.listTopics(ADMIN_TIMEOUT);
            if (!statusAssigned && topics.containsKey(config.statusTopic())) {
                assign(true);
            }
            List<TopicPartition> channels = new ArrayList<>();
            for (String topic : state.channelTopics()) {
                if (topics.containsKey(topic)) {
                    channels.add(new TopicPartition(topic, 0));
                }
            }
            if (channels.isEmpty()) {
                return;
            }
            Map<String, Long> ends = new HashMap<>();
            side.endOffsets(channels, ADMIN_TIMEOUT).forEach((p, end) -> ends.put(p.topic(), end));
            state.onEndOffsets(ends, now);
        } catch (KafkaException e) {
            // lag and rate stay as they were; shown as unknown until the next sample succeeds
            LOG.warn("cannot sample channel end offsets: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (side != null) {
            side.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (side != null) {
            side.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        if (collector != null) {
            collector.close();
        }
    }
}
