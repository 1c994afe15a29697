package io.kafkasnap.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads ranges of single-partition channel topics with its own consumer in assign mode: no consumer group, nothing
 * committed. Channels read once stay assigned, paused, so that the next read of them (the next snapshot's check)
 * needs neither a metadata request nor a new fetch session before its fetch. Not thread-safe, like the consumer it
 * wraps.
 */
public final class KafkaChannelLog implements ChannelLog, AutoCloseable {

    /** How long one {@link #read} may wait for its range before giving up. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** Past this many channels assigned, the next read starts the assignment over. */
    private static final int MAX_ASSIGNED = 10_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration readTimeout;
    /** Assigned to the consumer; all paused between reads. */
    private final Set<TopicPartition> assigned = new HashSet<>();

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
        // Ranges end at records known to be in the log, so there is nothing worth waiting for at a fetch.
        properties.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
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
        take(List.of(partition));
        consumer.seek(partition, fromInclusive);
        consumer.resume(List.of(partition));
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
                        result.add(ChannelRecord.of(record));
                    }
                }
            }
        } catch (OffsetOutOfRangeException e) {
            release(List.of(partition));
            throw new ChannelLogException(topic + " [" + fromInclusive + ", " + toExclusive
                    + ") is no longer in the log (retention or compaction removed it)", e);
        } catch (KafkaException e) {
            release(List.of(partition));
            throw new ChannelLogException("cannot read " + topic + " [" + fromInclusive + ", " + toExclusive + "): "
                    + e.getMessage(), e);
        } finally {
            pauseAll();
        }
        return result;
    }

    /**
     * Reads every range in one assignment: each partition is sought to its range and paused once read, so one
     * fetch serves many channels instead of one assignment and fetch round per channel.
     */
    @Override
    public Map<Range, List<ChannelRecord>> readAll(Collection<Range> ranges) {
        Map<TopicPartition, long[]> spans = new HashMap<>();
        for (Range range : ranges) {
            if (range.fromInclusive() < 0) {
                throw new IllegalArgumentException("fromInclusive must be >= 0, was " + range);
            }
            if (range.toExclusive() > range.fromInclusive()) {
                spans.merge(new TopicPartition(range.topic(), 0),
                        new long[] {range.fromInclusive(), range.toExclusive()},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
        }
        Map<TopicPartition, List<ChannelRecord>> read = new HashMap<>();
        if (!spans.isEmpty()) {
            readSpans(spans, read);
        }
        Map<Range, List<ChannelRecord>> result = new LinkedHashMap<>();
        for (Range range : ranges) {
            List<ChannelRecord> slice = new ArrayList<>();
            for (ChannelRecord record : read.getOrDefault(new TopicPartition(range.topic(), 0), List.of())) {
                if (record.offset() >= range.fromInclusive() && record.offset() < range.toExclusive()) {
                    slice.add(record);
                }
            }
            result.put(range, slice);
        }
        return result;
    }

    private void readSpans(Map<TopicPartition, long[]> spans, Map<TopicPartition, List<ChannelRecord>> read) {
        take(spans.keySet());
        spans.forEach((partition, span) -> consumer.seek(partition, span[0]));
        consumer.resume(spans.keySet());
        Set<TopicPartition> pending = new HashSet<>(spans.keySet());
        long deadline = System.nanoTime() + readTimeout.toNanos();
        try {
            while (!pending.isEmpty()) {
                for (TopicPartition partition : List.copyOf(pending)) {
                    if (consumer.position(partition, readTimeout) >= spans.get(partition)[1]) {
                        consumer.pause(List.of(partition));
                        pending.remove(partition);
                    }
                }
                if (pending.isEmpty()) {
                    break;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new ChannelLogException("timed out after " + readTimeout + " reading " + pending.size()
                            + " channel(s), e.g. " + pending.iterator().next());
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(Math.min(remaining,
                        Duration.ofMillis(500).toNanos())))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    long[] span = spans.get(partition);
                    if (record.offset() >= span[0] && record.offset() < span[1]) {
                        read.computeIfAbsent(partition, p -> new ArrayList<>()).add(ChannelRecord.of(record));
                    }
                }
            }
        } catch (OffsetOutOfRangeException e) {
            release(spans.keySet());
            throw new ChannelLogException("a channel range is no longer in the log (retention or compaction removed"
                    + " it): " + e.getMessage(), e);
        } catch (KafkaException e) {
            release(spans.keySet());
            throw new ChannelLogException("cannot read channels: " + e.getMessage(), e);
        } finally {
            pauseAll();
        }
    }

    /** Adds {@code partitions} to the assignment, every partition paused. */
    private void take(Collection<TopicPartition> partitions) {
        if (assigned.containsAll(partitions)) {
            return;
        }
        if (assigned.size() + partitions.size() > MAX_ASSIGNED) {
            assigned.clear();
        }
        assigned.addAll(partitions);
        consumer.assign(assigned);
        consumer.pause(assigned);
    }

    private void pauseAll() {
        consumer.pause(assigned);
    }

    /** After a failed read: its channels leave the assignment, so that a topic gone does not stay in it. */
    private void release(Collection<TopicPartition> partitions) {
        try {
            assigned.removeAll(partitions);
            consumer.assign(assigned);
        } catch (KafkaException | IllegalStateException e) {
            assigned.clear();
            consumer.unsubscribe();
        }
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
