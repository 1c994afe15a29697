package io.kafkasnap.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a single-partition topic from a position up to an end, in offset order, with no consumer group: how the
 * tools that look at the control and collection topics as a whole (a restore's lookup, prune, membership) read.
 */
public final class TopicScan {

    private static final Duration POLL = Duration.ofMillis(200);

    private TopicScan() {
    }

    /** A consumer that belongs to no group and commits nothing; the given properties otherwise as they are. */
    public static KafkaConsumer<byte[], byte[]> consumer(Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * As {@link #consumer}, for reads that end at an offset known before they begin (a lookup, not a follower): the
     * broker answers a fetch at once instead of holding it open for new records. A held fetch (500 ms by default) is
     * in flight whenever such a read reaches its end, and the broker answers a connection's requests in order, so
     * without this each later request of the same consumer (the offsets of the next topic, its close) waits for it.
     */
    public static KafkaConsumer<byte[], byte[]> boundedConsumer(Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        return consumer(props);
    }

    /**
     * Hands every record of {@code partition} from the consumer's position up to {@code end} (exclusive) to
     * {@code sink}; the consumer must be assigned the partition.
     *
     * @throws KafkaException if {@code end} is not reached within {@code timeout}
     */
    public static void readUpTo(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end,
                                Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        readUntil(consumer, partition, end, timeout, record -> {
            sink.accept(record);
            return false;
        });
    }

    /**
     * As {@link #readUpTo}, but stops early once {@code done} returns true for a record.
     *
     * @return whether {@code done} stopped the scan before {@code end}
     */
    public static boolean readUntil(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long end,
                                    Duration timeout, Predicate<ConsumerRecord<byte[], byte[]>> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(partition) < end) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("timed out reading " + partition + " up to offset " + end + "; at "
                        + consumer.position(partition));
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < end && done.test(record)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every record of partition 0 of {@code topic}, from its start to its end when called. */
    public static void readAll(Properties clientProperties, String topic, Duration timeout,
                               Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = boundedConsumer(clientProperties)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            readUpTo(consumer, partition, consumer.endOffsets(List.of(partition)).get(partition), timeout, sink);
        }
    }
}
