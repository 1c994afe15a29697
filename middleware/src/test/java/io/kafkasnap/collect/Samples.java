package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.Membership;
import io.kafkasnap.format.ValueCodec;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.format.ControlRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Test data shared by the collect tests. */
public final class Samples {

    private Samples() {
    }

    public static JsonNode json(String text) {
        return ValueCodec.toJson(text.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The design's example fragment. */
    public static Fragment designExample() {
        return new Fragment(42, "bank-0", 1_700_000_000_000L, Map.of("balance", json("970")),
                Map.of("bank.1.0", new Fragment.InChannel(120, 125,
                        List.of(new Fragment.Message(121, null, json("{\"amount\":30}"))))),
                Map.of("bank.0.1", new Fragment.OutChannel(77)));
    }

    public static ControlRecord.Join join(String process, List<String> in, List<String> out) {
        return new ControlRecord.Join(process, in, out);
    }

    public static Membership.SnapshotStart start(long snapshot, long triggeredAt, Optional<String> initiator,
                                          Map<String, ControlRecord.Join> members) {
        return new Membership.SnapshotStart(snapshot, triggeredAt, initiator, members);
    }

    /** The producer records as a consumer would see them at consecutive offsets from {@code firstOffset}. */
    public static List<ConsumerRecord<byte[], byte[]>> consumed(List<ProducerRecord<byte[], byte[]>> records, long firstOffset,
                                                        long timestamp) {
        List<ConsumerRecord<byte[], byte[]>> result = new ArrayList<>();
        long offset = firstOffset;
        for (ProducerRecord<byte[], byte[]> record : records) {
            result.add(consumed(record, offset++, timestamp));
        }
        return result;
    }

    public static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> record, long offset, long timestamp) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        return new ConsumerRecord<>(record.topic(), 0, offset, timestamp, TimestampType.CREATE_TIME,
                record.key() == null ? -1 : record.key().length, record.value() == null ? -1 : record.value().length,
                record.key(), record.value(), headers, Optional.empty());
    }
}
