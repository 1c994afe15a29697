package io.kafkasnap.tools.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The snapshots in progress, from the control topic (triggers, members) and the fragment keys on the collection
 * topic (who has published), without assembling anything: for a status line. Not thread-safe.
 */
public final class ProgressReader implements AutoCloseable {

    /** @param published members whose fragment is complete on the collection topic */
    public record InProgress(long id, int published, int members, long ageMs) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String controlTopic;
    private final DashboardState state = new DashboardState(1, 1, Long.MAX_VALUE);

    private ProgressReader(KafkaConsumer<byte[], byte[]> consumer, String controlTopic) {
        this.consumer = consumer;
        this.controlTopic = controlTopic;
    }

    public static ProgressReader open(Map<String, Object> kafka, String controlTopic, String collectionTopic) {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = List.of(new TopicPartition(controlTopic, 0),
                new TopicPartition(collectionTopic, 0));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return new ProgressReader(consumer, controlTopic);
    }

    /** Reads what has arrived and returns the snapshots still in progress, oldest first. */
    public List<InProgress> poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (record.topic().equals(controlTopic)) {
                state.onControl(record.offset(), record.timestamp(), record.value());
            } else {
                Header chunk = record.headers().lastHeader(DashboardReader.CHUNK_HEADER);
                state.onFragmentRecord(record.key(), 0,
                        chunk == null ? null : new String(chunk.value(), StandardCharsets.UTF_8));
            }
        }
        List<InProgress> list = new ArrayList<>();
        for (JsonNode p : state.progress(System.currentTimeMillis())) {
            list.add(new InProgress(p.path("id").asLong(), p.path("published").size(), p.path("members").size(),
                    p.path("ageMs").asLong()));
        }
        return list;
    }

    /** The snapshot has been assembled elsewhere: no longer in progress. */
    public void finished(long id) {
        state.finished(id);
    }

    /** {@code in progress: snapshot 12 published 2/3 (4.1 s)}, or empty when none is. */
    public static String line(List<InProgress> inProgress) {
        if (inProgress.isEmpty()) {
            return "";
        }
        StringBuilder line = new StringBuilder("in progress:");
        for (InProgress p : inProgress.subList(0, Math.min(4, inProgress.size()))) {
            line.append(String.format(" snapshot %d published %d/%d (%.1f s)", p.id(), p.published(), p.members(),
                    p.ageMs() / 1000.0));
        }
        if (inProgress.size() > 4) {
            line.append(" +").append(inProgress.size() - 4).append(" more");
        }
        return line.toString();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
