package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.ValueCodec;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.kafka.ChannelRecord;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.Triggers;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real broker: joins, hand-made channel records with markers, and fragments (one chunked) are written the
 * way nodes would write them; the collector must assemble them with the right status and check them.
 */
class SnapshotCollectorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final Duration AWAIT = Duration.ofSeconds(60);

    private String control;
    private String fragments;
    private String ab;
    private KafkaProducer<byte[], byte[]> producer;

    @BeforeEach
    void topics() {
        control = KafkaFixture.uniqueTopic("control");
        fragments = KafkaFixture.uniqueTopic("fragments");
        ab = KafkaFixture.uniqueTopic("a.b");
        KafkaFixture.createTopics(1, control, fragments, ab);
        var properties = KafkaFixture.clientProperties();
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "900000");
        producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        producer.close();
    }

    private long send(ProducerRecord<byte[], byte[]> record) throws Exception {
        RecordMetadata metadata = producer.send(record).get();
        return metadata.offset();
    }

    private void control(ControlRecord record) throws Exception {
        send(new ProducerRecord<>(control, 0, null, record.toJson()));
    }

    private long app(String key, String value) throws Exception {
        return send(new ProducerRecord<>(ab, 0, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
    }

    private long marker(long snapshot) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(ab, 0, null, new byte[0]);
        record.headers().add(ChannelRecord.MARKER_HEADER, Long.toString(snapshot).getBytes(StandardCharsets.UTF_8));
        return send(record);
    }

    private void publish(Fragment fragment, int maxChunkBytes) throws ExecutionException, InterruptedException {
        for (ProducerRecord<byte[], byte[]> record : Chunks.chunks(fragments, fragment, maxChunkBytes)) {
            producer.send(record).get();
        }
    }

    private Fragment a(long snapshot, long marker) {
        return new Fragment(snapshot, "a", System.currentTimeMillis(), Map.of("sent", Samples.json("3")), Map.of(),
                Map.of(ab, new Fragment.OutChannel(marker)));
    }

    private Fragment b(long snapshot, long from, long marker, List<Fragment.Message> messages, int stateEntries) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> state = new java.util.TreeMap<>();
        for (int i = 0; i < stateEntries; i++) {
            state.put("account-" + i, Samples.json("{\"balance\":" + (1000 + i) + ",\"owner\":\"someone with a long name " + i + "\"}"));
        }
        return new Fragment(snapshot, "b", System.currentTimeMillis(), state,
                Map.of(ab, new Fragment.InChannel(from, marker, messages)), Map.of());
    }

    private SnapshotCollector collector() {
        return SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control)
                .collectionTopic(fragments)
                .timeout(TIMEOUT)
                .build();
    }

    @Test
    void assemblesChecksAndReportsEachStatus() throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of(ab)));
        send(new ProducerRecord<>(control, 0, null, "not a control record".getBytes(StandardCharsets.UTF_8)));
        control(new ControlRecord.Join("b", List.of(ab), List.of()));
        var properties = KafkaFixture.clientProperties();

        // Snapshot 1, complete and consistent, b's fragment chunked: b had processed offset 0, 1 and 3 were in
        // flight, 2 is another snapshot's marker.
        long s1 = Triggers.trigger(properties, control, Optional.empty());
        app("k0", "{\"amount\":10}");
        long m1From = app("k1", "{\"amount\":11}");
        marker(s1 + 1000);
        long in3 = app("k3", "plain bytes");
        long m1 = marker(s1);
        publish(a(s1, m1), 1_000_000);
        Fragment b1 = b(s1, m1From, m1, List.of(Fragment.Message.of(m1From, "k1".getBytes(StandardCharsets.UTF_8),
                "{\"amount\":11}".getBytes(StandardCharsets.UTF_8)), Fragment.Message.of(in3,
                "k3".getBytes(StandardCharsets.UTF_8), "plain bytes".getBytes(StandardCharsets.UTF_8))), 20_000);
        assertThat(Chunks.chunks(fragments, b1, 200_000).size()).isGreaterThan(3);
        publish(b1, 200_000);

        // Snapshot 2, complete but b recorded a wrong value: rule 3.
        long s2 = Triggers.trigger(properties, control, Optional.of("a"));
        long in5 = app("k5", "{\"amount\":5}");
        long m2 = marker(s2);
        publish(a(s2, m2), 1_000_000);
        publish(b(s2, in5, m2, List.of(new Fragment.Message(in5, ValueCodec.toJson(Samples.utf8("k5")), Samples.json("{\"amount\":500}"))), 3),
                1_000_000);

        // Snapshot 3, a's fragment has a corrupted chunk: incomplete.
        long s3 = Triggers.trigger(properties, control, Optional.empty());
        long m3 = marker(s3);
        List<ProducerRecord<byte[], byte[]>> corrupt = new ArrayList<>(Chunks.chunks(fragments, a(s3, m3), 40));
        corrupt.get(1).value()[3] ^= 0x01;
        for (ProducerRecord<byte[], byte[]> record : corrupt) {
            send(record);
        }
        publish(b(s3, m3, m3, List.of(), 3), 1_000_000);

        // Snapshot 4, b never publishes: timed out. Snapshot 5 names an initiator that is no member.
        long s4 = Triggers.trigger(properties, control, Optional.empty());
        long m4 = marker(s4);
        publish(a(s4, m4), 1_000_000);
        long s5 = Triggers.trigger(properties, control, Optional.of("nobody"));

        try (SnapshotCollector collector = collector()) {
            GlobalSnapshot first = collector.await(s1, AWAIT).orElseThrow();
            assertThat(first.status()).isEqualTo(Status.COMPLETE);
            assertThat(first.members()).containsExactly("a", "b");
            assertThat(first.consistency().violations()).isEmpty();
            assertThat(first.isConsistent()).isTrue();
            assertThat(first.inFlightMessageCount()).isEqualTo(2);
            assertThat(first.process("b").orElseThrow().state()).hasSize(20_000);
            assertThat(first.channel(ab).orElseThrow().from()).isEqualTo("a");

            GlobalSnapshot second = collector.await(s2, AWAIT).orElseThrow();
            assertThat(second.status()).isEqualTo(Status.INCONSISTENT);
            assertThat(second.reason()).isEqualTo("rule-violated");
            assertThat(second.consistency().checked()).isTrue();
            assertThat(second.consistency().violations()).singleElement().satisfies(v -> {
                assertThat(v.rule()).isEqualTo(3);
                assertThat(v.channel()).isEqualTo(ab);
                assertThat(v.message()).contains("offset " + in5, "{\"amount\":500}", "{\"amount\":5}");
            });

            GlobalSnapshot third = collector.await(s3, AWAIT).orElseThrow();
            assertThat(third.status()).isEqualTo(Status.INCOMPLETE);
            assertThat(third.missingMembers()).containsExactly("a");

            GlobalSnapshot fourth = collector.await(s4, AWAIT).orElseThrow();
            assertThat(fourth.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(fourth.missingMembers()).containsExactly("b");
            assertThat(fourth.detail()).contains("[b]");
            assertThat(fourth.completedAt()).isEqualTo(fourth.triggeredAt() + TIMEOUT.toMillis());

            GlobalSnapshot fifth = collector.await(s5, AWAIT).orElseThrow();
            assertThat(fifth.status()).isEqualTo(Status.FAILED);
            assertThat(fifth.reason()).isEqualTo("initiator-not-a-member");

            assertThat(collector.all()).extracting(GlobalSnapshot::snapshot).containsExactly(s1, s2, s3, s4, s5);
            assertThat(GlobalSnapshot.fromJson(first.toJson(true))).isEqualTo(first);
        }
    }

    @Test
    void assemblesASnapshotTriggeredWhileItIsRunning() throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of(ab)));
        control(new ControlRecord.Join("b", List.of(ab), List.of()));
        try (SnapshotCollector collector = collector()) {
            assertThat(collector.poll(Duration.ofMillis(200))).isEmpty();
            long s = collector.trigger(Optional.empty());
            long m = marker(s);
            publish(a(s, m), 1_000_000);
            publish(b(s, m, m, List.of(), 2), 1_000_000);
            GlobalSnapshot snapshot = collector.await(s, AWAIT).orElseThrow();
            assertThat(snapshot.status()).isEqualTo(Status.COMPLETE);
            assertThat(snapshot.isConsistent()).isTrue();
            assertThat(collector.get(s)).contains(snapshot);
        }
    }

    @Test
    void anAbortWrittenAfterEveryFragmentLeavesTheSnapshotCompleteWhicheverIsReadFirstByCollectorAndLookup()
            throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of(ab)));
        control(new ControlRecord.Join("b", List.of(ab), List.of()));
        long s = Triggers.trigger(KafkaFixture.clientProperties(), control, Optional.empty());
        long m = marker(s);
        Fragment b = b(s, m, m, List.of(), 2_000);
        assertThat(Chunks.chunks(fragments, b, 4_000).size()).isGreaterThan(20);
        try (SnapshotCollector first = collector()) {
            // Fragments read first: assembled before the abort exists, by the collector and by a lookup.
            publish(a(s, m), 1_000_000);
            publish(b, 4_000);
            assertThat(first.await(s, AWAIT)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
            assertThat(first.lookup(s)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
            // b restarted before it noted the publication, and gives the snapshot up.
            control(new ControlRecord.Abort(s, "b", "restarted-during-snapshot", "b published, then restarted"));
            first.poll(Duration.ofMillis(500));
            assertThat(first.get(s)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
        }
        // Abort read first: a collector started now gets the control topic, abort included, in its first fetch, while
        // the small fetch size leaves most of b's chunks for later polls; a lookup reads the control topic first.
        var properties = KafkaFixture.clientProperties();
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "4096");
        try (SnapshotCollector second = SnapshotCollector.builder(properties).controlTopic(control)
                .collectionTopic(fragments).timeout(TIMEOUT).build()) {
            GlobalSnapshot snapshot = second.await(s, AWAIT).orElseThrow();
            assertThat(snapshot.status()).as("%s: %s", snapshot.reason(), snapshot.detail())
                    .isEqualTo(Status.COMPLETE);
            assertThat(second.lookup(s)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
        }
    }

    private long sendAt(long timestamp, ProducerRecord<byte[], byte[]> record) throws Exception {
        return send(new ProducerRecord<>(record.topic(), record.partition(), timestamp, record.key(), record.value(),
                record.headers()));
    }

    /** A trigger and both fragments, every record stamped {@code timestamp}; the snapshot's id. */
    private long snapshotStampedAt(long timestamp) throws Exception {
        long s = sendAt(timestamp, new ProducerRecord<>(control, 0, null, new ControlRecord.Trigger(Optional.empty())
                .toJson()));
        long m = marker(s);
        for (Fragment fragment : List.of(a(s, m), b(s, m, m, List.of(), 1))) {
            for (ProducerRecord<byte[], byte[]> record : Chunks.chunks(fragments, fragment, 1_000_000)) {
                sendAt(timestamp, record);
            }
        }
        return s;
    }

    private static List<Long> readAll(SnapshotCollector collector, long last) {
        List<Long> assembled = new ArrayList<>();
        collector.await(last, AWAIT).orElseThrow();
        collector.summaries().forEach(summary -> assembled.add(summary.snapshot()));
        return assembled;
    }

    @Test
    void sinceAssemblesOnlySnapshotsTriggeredFromThenOnAndEveryOneAfterTheFirst() throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of(ab)));
        control(new ControlRecord.Join("b", List.of(ab), List.of()));
        long now = System.currentTimeMillis();
        long twoHoursAgo = now - Duration.ofHours(2).toMillis();
        long old = snapshotStampedAt(twoHoursAgo);
        long recent = snapshotStampedAt(now);
        // Its producer's clock runs two hours behind, but it comes after the first one since: assembled too.
        long skewed = snapshotStampedAt(twoHoursAgo);
        try (SnapshotCollector everything = collector()) {
            assertThat(readAll(everything, skewed)).containsExactly(old, recent, skewed);
        }
        try (SnapshotCollector recentOnly = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(fragments).timeout(TIMEOUT)
                .since(java.time.Instant.ofEpochMilli(now - Duration.ofMinutes(1).toMillis())).build()) {
            assertThat(readAll(recentOnly, skewed)).containsExactly(recent, skewed);
            assertThat(recentOnly.get(recent)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
            assertThat(recentOnly.get(skewed)).map(GlobalSnapshot::status).contains(Status.COMPLETE);
            assertThat(recentOnly.await(old, AWAIT)).isEmpty();
            assertThat(recentOnly.summaries()).extracting(SnapshotCollector.Summary::snapshot)
                    .doesNotContain(old);
            assertThat(recentOnly.inProgress()).isEmpty();
        }
    }

    @Test
    void keepSummariesKeepsOnlyTheLastOnesAndAwaitStillSeesAnEarlierOneFinished() throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of(ab)));
        control(new ControlRecord.Join("b", List.of(ab), List.of()));
        long now = System.currentTimeMillis();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(snapshotStampedAt(now));
        }
        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(fragments).timeout(TIMEOUT)
                .keepSummaries(2).keepInFull(1).build()) {
            assertThat(readAll(collector, ids.get(3))).containsExactly(ids.get(2), ids.get(3));
            // Assembled, and its summary no longer kept: await says it is not kept in full.
            assertThat(collector.await(ids.get(0), AWAIT)).isEmpty();
        }
    }
}
