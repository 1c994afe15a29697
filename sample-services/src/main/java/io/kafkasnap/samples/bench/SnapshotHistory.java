package io.kafkasnap.samples.bench;

import io.kafkasnap.format.Chunks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts a past on empty control and collection topics, as a long run would have left it, without waiting for one:
 * {@code snapshots} triggers, each followed by one fragment per member, with CreateTime timestamps spread evenly over
 * {@code span} before now. The triggers come before any process joined, so no node takes part in them: they are
 * history a lookup must get past, not snapshots anyone restores. Fragments are of the bank's shape (a balance, a few
 * transfers recorded in flight on one channel), one chunk each, with their checksum.
 */
final class SnapshotHistory {

    /** What was written. */
    record Written(int snapshots, int fragments, long fragmentBytes, long firstTimestamp) {
        double meanFragmentBytes() {
            return fragments == 0 ? 0 : (double) fragmentBytes / fragments;
        }
    }

    private SnapshotHistory() {
    }

    static Written write(Map<String, Object> kafka, String controlTopic, String collectionTopic, int snapshots,
                         List<String> members, Duration span, long nowMillis) throws Exception {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        long first = nowMillis - span.toMillis();
        long step = span.toMillis() / Math.max(1, snapshots);
        long bytes = 0;
        int fragments = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> triggers = new ArrayList<>();
            for (int i = 0; i < snapshots; i++) {
                triggers.add(producer.send(new ProducerRecord<>(controlTopic, 0, first + i * step, null,
                        "{\"v\":1,\"type\":\"snapshot\"}".getBytes(StandardCharsets.UTF_8))));
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < snapshots; i++) {
                long snapshot = offset(triggers.get(i));
                long at = first + i * step;
                for (int m = 0; m < members.size(); m++) {
                    byte[] value = fragment(snapshot, members.get(m), at, i * 31L + m);
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(collectionTopic, 0, at + 20 + m,
                            (snapshot + "/" + members.get(m)).getBytes(StandardCharsets.UTF_8), value);
                    record.headers().add(Chunks.CHUNK_HEADER, "0/1".getBytes(StandardCharsets.UTF_8));
                    record.headers().add(Chunks.CRC_HEADER,
                            Long.toString(Chunks.crc32(value)).getBytes(StandardCharsets.UTF_8));
                    sent.add(producer.send(record));
                    bytes += value.length;
                    fragments++;
                }
            }
            for (Future<RecordMetadata> future : sent) {
                offset(future);
            }
        }
        return new Written(snapshots, fragments, bytes, first);
    }

    private static long offset(Future<RecordMetadata> future) throws InterruptedException {
        try {
            return future.get().offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write the history: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** A bank branch's fragment: its balance, and four transfers recorded in flight on one incoming channel. */
    private static byte[] fragment(long snapshot, String process, long at, long n) {
        StringBuilder json = new StringBuilder();
        json.append("{\"v\":1,\"snapshot\":").append(snapshot).append(",\"process\":\"").append(process)
                .append("\",\"recordedAt\":").append(at + 10).append(",\"state\":{\"balance\":")
                .append(900 + n % 200).append("},\"in\":{\"bank.x.").append(process).append("\":{\"recordedFrom\":")
                .append(n * 4).append(",\"markerOffset\":").append(n * 4 + 4).append(",\"messages\":[");
        for (int i = 0; i < 4; i++) {
            json.append(i == 0 ? "" : ",").append("{\"offset\":").append(n * 4 + i)
                    .append(",\"key\":null,\"value\":{\"amount\":").append(1 + (n + i) % 50)
                    .append("},\"headers\":{\"kafkasnap-epoch\":\"0\",\"kafkasnap-seq\":\"").append(n * 4 + i)
                    .append("\"},\"timestamp\":").append(at + i).append('}');
        }
        json.append("]}},\"out\":{\"bank.").append(process).append(".x\":{\"markerOffset\":").append(n * 4 + 2)
                .append("}}}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
