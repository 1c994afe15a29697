package io.kafkasnap.collect;

import io.kafkasnap.collect.ChunkReassembler.Outcome;
import io.kafkasnap.collect.ChunkReassembler.Unusable;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.kafka.TopicScan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads one fragment that begins at a given offset of the collection topic, for {@link FragmentChains}: seeks there
 * and reads that key's chunks forward, skipping other keys' records, until the fragment is whole. Its consumer is
 * opened on first use, so readers that meet no incremental fragment open none.
 */
final class KafkaFragmentSource implements FragmentChains.Source, AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Properties clientProperties;
    private final TopicPartition collection;
    private KafkaConsumer<byte[], byte[]> consumer;

    KafkaFragmentSource(Properties clientProperties, String collectionTopic) {
        this.clientProperties = clientProperties;
        this.collection = new TopicPartition(collectionTopic, 0);
    }

    @Override
    public Outcome read(FragmentKey key, long offset) {
        if (consumer == null) {
            consumer = TopicScan.boundedConsumer(clientProperties);
            consumer.assign(List.of(collection));
        }
        long start = consumer.beginningOffsets(List.of(collection)).get(collection);
        long end = consumer.endOffsets(List.of(collection)).get(collection);
        String name = key.toString();
        if (offset < start) {
            return new Unusable(name, offset, 0, "the records of " + collection + " before offset " + start
                    + " are deleted (snapshots prune, or the topic's retention)");
        }
        if (offset >= end) {
            return new Unusable(name, offset, 0, collection + " ends at offset " + end);
        }
        ChunkReassembler reassembler = new ChunkReassembler();
        Outcome[] found = {null};
        consumer.seek(collection, offset);
        TopicScan.readUntil(consumer, collection, end, TIMEOUT, record -> {
            String recordKey = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (record.offset() == offset && !(name.equals(recordKey) && isChunkZero(record))) {
                found[0] = new Unusable(name, offset, record.timestamp(), "the record at offset " + offset + " of "
                        + collection + " is not the first chunk of " + name);
                return true;
            }
            if (!name.equals(recordKey)) {
                return false;
            }
            for (Outcome outcome : reassembler.accept(record)) {
                found[0] = outcome;
                return true;
            }
            return false;
        });
        return found[0] != null ? found[0] : new Unusable(name, offset, 0, "its chunks from offset " + offset
                + " do not all lie below the end of " + collection + ", " + end);
    }

    private static boolean isChunkZero(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Chunks.CHUNK_HEADER);
        return header != null && header.value() != null
                && new String(header.value(), StandardCharsets.UTF_8).startsWith("0/");
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ZERO);
        }
    }
}
