package io.kafkasnap.kafka;

import io.kafkasnap.collect.ChannelLog;
import io.kafkasnap.collect.ChannelRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads ranges of single-partition channel topics with its own consumer in assign mode: no consumer group, nothing
 * committed. Not thread-safe, like the consumer it wraps.
 */
public final class KafkaChannelLog implements ChannelLog, AutoCloseable {

    /** How long one {@link #read} may wait for its range before giving up. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration readTimeout;

    /** @param clientProperties Kafka client properties (bootstrap servers, security), used as given */
    public KafkaChannelLog(Properties clientProperties) {
        this(clientProperties, DEFAULT_READ_TIMEOUT);
    }

    public KafkaChannelLog(Properties clientProperties, Duration readTimeout) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A range below the log start must fail loudly, not silently read from somewhere else.
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.readTimeout = readTimeout;
    }

    @Override
    public List<ChannelRecord> read(String topic, long fromInclusive, long toExclusive) {
        if (fromInclusive < 0) {
            throw new IllegalArgumentException("fromInclusive must be >= 0, was " + fromInclusive);
        }
        if (toExclusive <= fromInclusive) {
            return List.of();
        }
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seek(partition, fromInclusive);
        List<ChannelRecord> result = new ArrayList<>();
        long deadline = System.nanoTime() + readTimeout.toNanos();
        try {
            // Loop on the position, not on record offsets: transaction markers and compaction leave offset gaps.
            while (consumer.position(partition, readTimeout) < toExclusive) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new ChannelLogException("timed out after " + readTimeout + " reading " + topic + " ["
                            + fromInclusive + ", " + toExclusive + "): reached offset "
                            + consumer.position(partition) + ", log end is " + endOffset(partition));
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(Math.min(remaining,
                        Duration.ofMillis(500).toNanos())))) {
                    if (record.offset() >= fromInclusive && record.offset() < toExclusive) {
                        result.add(new ChannelRecord(record.offset(), record.key(), record.value(),
                                record.headers().lastHeader(ChannelRecord.MARKER_HEADER) != null));
                    }
                }
            }
        } catch (OffsetOutOfRangeException e) {
            throw new ChannelLogException(topic + " [" + fromInclusive + ", " + toExclusive
                    + ") is no longer in the log (retention or compaction removed it)", e);
        } catch (KafkaException e) {
            throw new ChannelLogException("cannot read " + topic + " [" + fromInclusive + ", " + toExclusive + "): "
                    + e.getMessage(), e);
        } finally {
            consumer.unsubscribe();
        }
        return result;
    }

    private String endOffset(TopicPartition partition) {
        try {
            return String.valueOf(consumer.endOffsets(List.of(partition), Duration.ofSeconds(5)).get(partition));
        } catch (KafkaException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
