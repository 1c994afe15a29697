package io.kafkasnap.node;

import io.kafkasnap.collect.ChunkReassembler;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.testing.KafkaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a collection topic with a plain consumer, the way any outside client would. */
final class FragmentReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ChunkReassembler reassembler = new ChunkReassembler();
    final Map<Long, Map<String, Fragment>> fragments = new HashMap<>();
    final List<ChunkReassembler.Unusable> unusable = new ArrayList<>();

    FragmentReader(String collectionTopic) {
        Properties props = KafkaFixture.clientProperties();
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition partition = new TopicPartition(collectionTopic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
    }

    /** Reads what is there now; returns the fragments of {@code snapshot} by process. */
    Map<String, Fragment> poll(long snapshot) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            for (ChunkReassembler.Outcome outcome : reassembler.accept(record)) {
                if (outcome instanceof ChunkReassembler.Assembled a) {
                    fragments.computeIfAbsent(a.fragment().snapshot(), s -> new HashMap<>())
                            .put(a.fragment().process(), a.fragment());
                } else if (outcome instanceof ChunkReassembler.Unusable u) {
                    unusable.add(u);
                }
            }
        }
        return fragments.getOrDefault(snapshot, Map.of());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
