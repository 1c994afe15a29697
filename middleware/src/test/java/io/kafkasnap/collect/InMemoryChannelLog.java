package io.kafkasnap.collect;

import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.kafka.ChannelRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Channel topics held in memory: append app records and markers, read ranges like a Kafka partition. */
final class InMemoryChannelLog implements ChannelLog {

    private final Map<String, List<ChannelRecord>> topics = new HashMap<>();

    /** Appends an app record; returns its offset. */
    long send(String topic, String key, String value) {
        List<ChannelRecord> log = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        log.add(new ChannelRecord(log.size(), key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), false));
        return log.size() - 1;
    }

    /** Appends a record with sequence headers, as a node's outbox sends it; returns its offset. */
    long sendSequenced(String topic, String value, long epoch, long seq, boolean marker) {
        List<ChannelRecord> log = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        log.add(new ChannelRecord(log.size(), null, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8),
                marker, epoch, seq, false));
        return log.size() - 1;
    }

    /** Appends a marker; returns its offset. */
    long marker(String topic) {
        List<ChannelRecord> log = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        log.add(new ChannelRecord(log.size(), null, new byte[0], true));
        return log.size() - 1;
    }

    List<ChannelRecord> all(String topic) {
        return topics.getOrDefault(topic, List.of());
    }

    @Override
    public List<ChannelRecord> read(String topic, long fromInclusive, long toExclusive) {
        List<ChannelRecord> log = topics.getOrDefault(topic, List.of());
        if (toExclusive > log.size()) {
            throw new ChannelLogException(topic + " ends at " + log.size() + ", cannot read up to " + toExclusive);
        }
        return List.copyOf(log.subList((int) Math.min(fromInclusive, toExclusive), (int) toExclusive));
    }
}
