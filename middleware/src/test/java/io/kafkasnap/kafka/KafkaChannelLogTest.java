package io.kafkasnap.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaChannelLogTest {

    @Test
    void readsRangesWithMarkersAndEmptyRanges() throws Exception {
        String topic = KafkaFixture.uniqueTopic("channel");
        KafkaFixture.createTopics(1, topic);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 5; i++) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        i == 3 ? new byte[0] : ("v" + i).getBytes(StandardCharsets.UTF_8));
                if (i == 3) {
                    record.headers().add(ChannelRecord.MARKER_HEADER, "7".getBytes(StandardCharsets.UTF_8));
                }
                producer.send(record).get();
            }
        }
        try (KafkaChannelLog log = new KafkaChannelLog(KafkaFixture.clientProperties(), Duration.ofSeconds(5))) {
            List<ChannelRecord> records = log.read(topic, 1, 4);
            assertThat(records).extracting(ChannelRecord::offset).containsExactly(1L, 2L, 3L);
            assertThat(records).extracting(ChannelRecord::isMarker).containsExactly(false, false, true);
            assertThat(new String(records.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("v2");
            assertThat(log.read(topic, 2, 2)).isEmpty();
            assertThat(log.read(topic, 0, 5)).hasSize(5);
            assertThatThrownBy(() -> log.read(topic, 4, 9))
                    .isInstanceOf(ChannelLog.ChannelLogException.class)
                    .hasMessageContaining("timed out")
                    .hasMessageContaining("log end is 5");
        }
    }

    @Test
    void readsManyChannelsInOnePassWithTheSameResultAsOneByOne() throws Exception {
        List<String> topics = List.of(KafkaFixture.uniqueTopic("a"), KafkaFixture.uniqueTopic("b"),
                KafkaFixture.uniqueTopic("c"));
        KafkaFixture.createTopics(1, topics.toArray(String[]::new));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topics.get(i % 3), 0, null,
                        ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        List<ChannelLog.Range> ranges = List.of(new ChannelLog.Range(topics.get(0), 2, 7),
                new ChannelLog.Range(topics.get(1), 0, 10), new ChannelLog.Range(topics.get(2), 4, 4),
                new ChannelLog.Range(topics.get(0), 5, 9));
        try (KafkaChannelLog log = new KafkaChannelLog(KafkaFixture.clientProperties(), Duration.ofSeconds(2))) {
            Map<ChannelLog.Range, List<ChannelRecord>> all = log.readAll(ranges);

            for (ChannelLog.Range range : ranges) {
                assertThat(all.get(range)).extracting(ChannelRecord::offset).as("%s", range)
                        .isEqualTo(log.read(range.topic(), range.fromInclusive(), range.toExclusive()).stream()
                                .map(ChannelRecord::offset).toList());
            }
            assertThat(all.get(ranges.get(1))).hasSize(10);
            assertThat(all.get(ranges.get(2))).isEmpty();
            assertThatThrownBy(() -> log.readAll(List.of(new ChannelLog.Range(topics.get(1), 8, 12))))
                    .isInstanceOf(ChannelLog.ChannelLogException.class).hasMessageContaining("timed out");
        }
    }

    /** Channels stay assigned between reads: a later read must still see exactly its range, and a gone one fail. */
    @Test
    void readsInTurnOfChannelsReadBeforeAndOfARangeGoneFromTheLogEachGetTheirOwnRecords() throws Exception {
        List<String> topics = List.of(KafkaFixture.uniqueTopic("a"), KafkaFixture.uniqueTopic("b"));
        KafkaFixture.createTopics(1, topics.toArray(String[]::new));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topics.get(i % 2), 0, null,
                        ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
        try (KafkaChannelLog log = new KafkaChannelLog(KafkaFixture.clientProperties(), Duration.ofSeconds(5))) {
            assertThat(log.read(topics.get(0), 6, 10)).extracting(ChannelRecord::offset).containsExactly(6L, 7L, 8L,
                    9L);
            assertThat(log.read(topics.get(0), 1, 3)).extracting(ChannelRecord::offset).containsExactly(1L, 2L);
            assertThat(log.readAll(List.of(new ChannelLog.Range(topics.get(1), 0, 2),
                    new ChannelLog.Range(topics.get(0), 8, 10))).values())
                    .extracting(records -> records.stream().map(ChannelRecord::offset).toList())
                    .containsExactly(List.of(0L, 1L), List.of(8L, 9L));
            assertThat(new String(log.read(topics.get(1), 4, 5).get(0).value(), StandardCharsets.UTF_8))
                    .isEqualTo("v9");

            try (org.apache.kafka.clients.admin.Admin admin =
                         org.apache.kafka.clients.admin.Admin.create(KafkaFixture.clientProperties())) {
                admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition(topics.get(0), 0),
                        org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(5))).all().get();
            }
            assertThatThrownBy(() -> log.read(topics.get(0), 2, 4))
                    .isInstanceOf(ChannelLog.ChannelLogException.class).hasMessageContaining("no longer in the log");
            assertThat(log.read(topics.get(1), 7, 9)).extracting(ChannelRecord::offset).containsExactly(7L, 8L);
            assertThat(log.read(topics.get(0), 5, 7)).extracting(ChannelRecord::offset).containsExactly(5L, 6L);
        }
    }
}
