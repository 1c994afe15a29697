package io.kafkasnap.samples.crash;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.testing.KafkaFixture;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads channel topics raw, as an outside client would, to check what the senders put on the wire. */
final class ChannelLogs {

    /** What one channel's log holds: the (epoch, seq) pairs seen, and how many appeared more than once. */
    record Sequences(Map<Long, TreeSet<Long>> seqsByEpoch, int resent, int records) {

        /** Sequence numbers missing below the highest one of each epoch: a gap the senders must never leave. */
        Map<Long, List<Long>> gaps() {
            Map<Long, List<Long>> gaps = new HashMap<>();
            seqsByEpoch.forEach((epoch, seqs) -> {
                List<Long> missing = new java.util.ArrayList<>();
                for (long s = 0; s <= seqs.last(); s++) {
                    if (!seqs.contains(s)) {
                        missing.add(s);
                    }
                }
                if (!missing.isEmpty()) {
                    gaps.put(epoch, missing);
                }
            });
            return gaps;
        }
    }

    private ChannelLogs() {
    }

    static Map<String, Sequences> read(List<String> topics) {
        Map<String, Sequences> result = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaFixture.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (String topic : topics) {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                Map<Long, TreeSet<Long>> seqs = new HashMap<>();
                int resent = 0;
                int records = 0;
                while (consumer.position(partition) < end) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        records++;
                        long epoch = ChannelHeaders.epoch(record.headers()).orElseThrow();
                        long seq = ChannelHeaders.seq(record.headers()).orElseThrow();
                        if (!seqs.computeIfAbsent(epoch, e -> new TreeSet<>()).add(seq)) {
                            resent++;
                        }
                    }
                }
                result.put(topic, new Sequences(seqs, resent, records));
            }
        }
        return result;
    }
}
