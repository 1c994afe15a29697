package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.Markers;
import io.kafkasnap.format.Timeline;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes on the real broker and real RocksDB: tokens pass between processes and snapshots must conserve them. */
class SnapshotNodeTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final String control = KafkaFixture.uniqueTopic("control");
    private final String collection = KafkaFixture.uniqueTopic("fragments");
    private final List<SnapshotNode> nodes = new ArrayList<>();
    private final KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(KafkaFixture.clientProperties(),
            new ByteArraySerializer(), new ByteArraySerializer());

    @AfterEach
    void tearDown() {
        nodes.forEach(SnapshotNode::close);
        plain.close();
    }

    private SnapshotNode.Builder tokenNode(String id, List<String> in, List<String> out, long initial, long seed) {
        Random random = new Random(seed);
        return SnapshotNode.builder()
                .processId(id)
                .kafkaProperties(KafkaFixture.clientProperties())
                .controlTopic(control)
                .collectionTopic(collection)
                .stateDir(dir.resolve(id))
                .incoming(in)
                .outgoing(out)
                .onStart(ctx -> ctx.state().putLong("tokens", ctx.state().getLong("tokens", initial)))
                .onRecord((ctx, record) -> ctx.state().putLong("tokens",
                        ctx.state().getLong("tokens", 0) + Long.parseLong(new String(record.value(),
                                StandardCharsets.UTF_8))))
                .timer(Duration.ofMillis(2), ctx -> {
                    long tokens = ctx.state().getLong("tokens", 0);
                    if (tokens > 0 && !out.isEmpty()) {
                        long amount = 1 + random.nextInt((int) Math.min(tokens, 5));
                        ctx.state().putLong("tokens", tokens - amount);
                        ctx.send(out.get(random.nextInt(out.size())),
                                Long.toString(amount).getBytes(StandardCharsets.UTF_8));
                    }
                });
    }

    private SnapshotNode started(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.build();
        nodes.add(node);
        return node.start();
    }

    private long trigger(String json) throws Exception {
        return plain.send(new ProducerRecord<>(control, 0, null, json.getBytes(StandardCharsets.UTF_8)))
                .get().offset();
    }

    private static long tokens(Map<String, Fragment> fragments) {
        long total = 0;
        for (Fragment f : fragments.values()) {
            total += f.state().get("tokens").asLong();
            for (Fragment.InChannel in : f.in().values()) {
                for (Fragment.Message m : in.messages()) {
                    total += m.value().asLong();
                }
            }
        }
        return total;
    }

    @Test
    void snapshotsOfTwoProcessesConserveTokensAndAgreeOnMarkerOffsets() throws Exception {
        String pq = KafkaFixture.uniqueTopic("p-q");
        String qp = KafkaFixture.uniqueTopic("q-p");
        started(tokenNode("p", List.of(qp), List.of(pq), 1000, 1));
        started(tokenNode("q", List.of(pq), List.of(qp), 1000, 2));

        try (FragmentReader reader = new FragmentReader(collection)) {
            for (int i = 0; i < 5; i++) {
                long id = trigger("{\"v\":1,\"type\":\"snapshot\"}");
                Map<String, Fragment> fragments = await().atMost(PATIENCE)
                        .until(() -> reader.poll(id), f -> f.size() == 2);

                assertThat(tokens(fragments)).as("tokens in snapshot %d", id).isEqualTo(2000);
                assertThat(fragments.get("p").out().get(pq).markerOffset())
                        .isEqualTo(fragments.get("q").in().get(pq).markerOffset());
                assertThat(fragments.get("q").out().get(qp).markerOffset())
                        .isEqualTo(fragments.get("p").in().get(qp).markerOffset());
            }
            assertThat(reader.unusable).isEmpty();
        }
    }

    @Test
    void everySnapshotOfAThreeProcessRingUnderLoadIsCompleteAndConsistent() throws Exception {
        String ab = KafkaFixture.uniqueTopic("a-b");
        String bc = KafkaFixture.uniqueTopic("b-c");
        String ca = KafkaFixture.uniqueTopic("c-a");
        started(tokenNode("a", List.of(ca), List.of(ab), 300, 11));
        started(tokenNode("b", List.of(ab), List.of(bc), 300, 12));
        started(tokenNode("c", List.of(bc), List.of(ca), 300, 13));

        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).build()) {
            for (int i = 0; i < 10; i++) {
                long id = collector.trigger(i % 2 == 0 ? Optional.empty() : Optional.of("b"));
                GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();

                assertThat(snapshot.status()).as("snapshot %d", id).isEqualTo(GlobalSnapshot.Status.COMPLETE);
                assertThat(snapshot.consistency().checked()).isTrue();
                assertThat(snapshot.consistency().violations()).as("snapshot %d", id).isEmpty();
                long total = snapshot.processes().values().stream()
                        .mapToLong(p -> p.state().get("tokens").asLong()).sum()
                        + snapshot.channels().values().stream().flatMap(c -> c.messages().stream())
                        .mapToLong(m -> m.value().asLong()).sum();
                assertThat(total).as("tokens in snapshot %d", id).isEqualTo(900);
            }
        }
    }

    @Test
    void aTriggerNamingOneInitiatorSpreadsByMarkers() throws Exception {
        String pq = KafkaFixture.uniqueTopic("p-q");
        String qp = KafkaFixture.uniqueTopic("q-p");
        started(tokenNode("p", List.of(qp), List.of(pq), 50, 3));
        started(tokenNode("q", List.of(pq), List.of(qp), 50, 4));

        long id = trigger("{\"v\":1,\"type\":\"snapshot\",\"initiator\":\"q\"}");

        try (FragmentReader reader = new FragmentReader(collection)) {
            Map<String, Fragment> fragments = await().atMost(PATIENCE).until(() -> reader.poll(id), f -> f.size() == 2);
            assertThat(tokens(fragments)).isEqualTo(100);
            assertThat(fragments.get("p").recordedAt()).isGreaterThanOrEqualTo(fragments.get("q").recordedAt());
        }
    }

    @Test
    void everyFragmentCarriesAFullOrderedTimelineThatSaysWhatStartedItsRecording() throws Exception {
        String pq = KafkaFixture.uniqueTopic("p-q");
        String qp = KafkaFixture.uniqueTopic("q-p");
        started(tokenNode("p", List.of(qp), List.of(pq), 50, 6));
        started(tokenNode("q", List.of(pq), List.of(qp), 50, 7));

        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).build()) {
            for (int i = 0; i < 3; i++) {
                long id = collector.trigger(Optional.of("q"));
                GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();

                assertThat(snapshot.status()).as("snapshot %d", id).isEqualTo(GlobalSnapshot.Status.COMPLETE);
                Timeline q = snapshot.processes().get("q").timeline();
                Timeline p = snapshot.processes().get("p").timeline();
                assertThat(q.startedBy()).as("the initiator reads the trigger").isEqualTo(Timeline.TRIGGER);
                assertThat(p.startedBy()).as("the other one is reached by q's marker").isEqualTo(Timeline.MARKER);
                for (String member : List.of("p", "q")) {
                    GlobalSnapshot.ProcessState process = snapshot.processes().get(member);
                    assertThat(process.timeline().isOrdered()).as("%s in snapshot %d: %s", member, id,
                            process.timeline()).isTrue();
                    assertThat(process.timeline().captured()).isEqualTo(process.recordedAt());
                    // One machine, one clock: the trigger record's timestamp comes first, the fragment records' last.
                    assertThat(process.timeline().triggerSeen()).isGreaterThanOrEqualTo(snapshot.triggeredAt());
                    assertThat(process.timeline().published()).isLessThanOrEqualTo(snapshot.completedAt());
                }
                // q's marker, sent after q captured, started p; p's marker, sent after p captured, came last to q.
                assertThat(p.triggerSeen()).isGreaterThanOrEqualTo(q.captured());
                assertThat(q.lastMarkerIn()).isGreaterThanOrEqualTo(p.captured());
            }
        }
    }

    @Test
    void aStateOfSeveralMegabytesIsChunkedAndReassembled() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        new Random(5).nextBytes(big);
        started(tokenNode("big", List.of(), List.of(), 1, 5)
                .onStart(ctx -> ctx.state().put("blob", big)));

        long id = trigger("{\"v\":1,\"type\":\"snapshot\"}");

        try (FragmentReader reader = new FragmentReader(collection)) {
            Map<String, Fragment> fragments = await().atMost(PATIENCE).until(() -> reader.poll(id), f -> f.size() == 1);
            Fragment fragment = fragments.get("big");
            assertThat(io.kafkasnap.format.ValueCodec.fromJson(fragment.state().get("blob"))).isEqualTo(big);
            assertThat(reader.unusable).isEmpty();
        }
    }

    @Test
    void badControlRecordsAndBadMarkersAreSkippedAndTheNodeGoesOn() throws Exception {
        String pq = KafkaFixture.uniqueTopic("p-q");
        AtomicLong received = new AtomicLong();
        started(tokenNode("q", List.of(pq), List.of(), 0, 6)
                .onRecord((ctx, record) -> received.incrementAndGet()));

        trigger("not json at all");
        trigger("{\"v\":1,\"type\":\"frobnicate\"}");
        trigger("{\"v\":7,\"type\":\"snapshot\"}");
        RecordHeaders headers = new RecordHeaders();
        headers.add(Markers.HEADER, "banana".getBytes(StandardCharsets.UTF_8));
        plain.send(new ProducerRecord<>(pq, 0, (byte[]) null, "1".getBytes(StandardCharsets.UTF_8), headers)).get();
        plain.send(new ProducerRecord<>(pq, 0, null, "1".getBytes(StandardCharsets.UTF_8))).get();
        // q waits for markers only from senders that are members; play the part of one by hand.
        trigger("{\"v\":1,\"type\":\"join\",\"process\":\"p\",\"in\":[],\"out\":[\"" + pq + "\"]}");
        long id = trigger("{\"v\":1,\"type\":\"snapshot\"}");
        plain.send(Markers.marker(pq, id)).get();

        try (FragmentReader reader = new FragmentReader(collection)) {
            Map<String, Fragment> fragments = await().atMost(PATIENCE).until(() -> reader.poll(id), f -> f.size() == 1);
            assertThat(fragments.get("q").in().get(pq).markerOffset()).isEqualTo(2);
        }
        assertThat(received.get()).as("app records delivered; the bad marker was not one").isEqualTo(1);
        assertThat(nodes.get(0).isRunning()).isTrue();
    }

    @Test
    void aRestartedNodeResumesFromTheStateItKeptAndAppliesNothingTwice() throws Exception {
        String in = KafkaFixture.uniqueTopic("in");
        SnapshotNode.Builder counter = tokenNode("counter", List.of(in), List.of(), 0, 10)
                .onRecord((ctx, record) -> ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1));
        for (int i = 0; i < 50; i++) {
            plain.send(new ProducerRecord<>(in, 0, null, "1".getBytes(StandardCharsets.UTF_8)));
        }
        plain.flush();
        SnapshotNode first = started(counter);
        // Each probe snapshot adds a marker to the channel; the counter must pass over those, not count them.
        try (FragmentReader reader = new FragmentReader(collection)) {
            await().atMost(PATIENCE).until(() -> seenAt(reader, in), seen -> seen == 50);
            first.close();

            for (int i = 0; i < 30; i++) {
                plain.send(new ProducerRecord<>(in, 0, null, "1".getBytes(StandardCharsets.UTF_8)));
            }
            plain.flush();
            SnapshotNode second = started(counter);

            await().atMost(PATIENCE).until(() -> seenAt(reader, in), seen -> seen == 80);
        }
    }

    /**
     * What the counter's state says it has seen, read through a snapshot; its only incoming channel is fed by
     * hand, so the test plays the sender's part and sends the marker.
     */
    private long seenAt(FragmentReader reader, String channel) throws Exception {
        long id = trigger("{\"v\":1,\"type\":\"snapshot\"}");
        plain.send(Markers.marker(channel, id)).get();
        Map<String, Fragment> fragments = await().atMost(PATIENCE).until(() -> reader.poll(id), f -> f.size() == 1);
        Fragment fragment = fragments.get("counter");
        return fragment.state().get("seen") == null ? 0 : fragment.state().get("seen").asLong();
    }

    @Test
    void aChannelWithTwoPartitionsIsRefusedAtStartByName() {
        String wide = KafkaFixture.uniqueTopic("wide");
        KafkaFixture.createTopics(2, wide);

        SnapshotNode node = tokenNode("w", List.of(wide), List.of(), 0, 7).build();

        assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(wide).hasMessageContaining("2 partitions").hasMessageContaining("FIFO");
    }

    @Test
    void aMissingChannelIsCreatedUnlessCreationIsOff() {
        String absent = KafkaFixture.uniqueTopic("absent");

        SnapshotNode strict = tokenNode("s", List.of(absent), List.of(), 0, 8)
                .setting(SnapshotNodeConfig.CREATE_TOPICS, false).build();
        assertThatThrownBy(strict::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(absent).hasMessageContaining("do not exist");

        SnapshotNode lenient = started(tokenNode("l", List.of(absent), List.of(), 0, 9)
                .setting(SnapshotNodeConfig.REPLICATION_FACTOR, 1));
        assertThat(lenient.isRunning()).isTrue();
    }

    @Test
    void theBuilderRejectsBadSettingsAtOnce() {
        assertThatThrownBy(() -> SnapshotNode.builder().processId("has space"))
                .hasMessageContaining("processId");
        assertThatThrownBy(() -> SnapshotNode.builder().incoming("a").outgoing("a"))
                .hasMessageContaining("both incoming and outgoing");
        assertThatThrownBy(() -> SnapshotNode.builder().setting("kafkasnap.nope", 1))
                .hasMessageContaining("unknown setting");
        assertThatThrownBy(() -> SnapshotNode.builder().setting(SnapshotNodeConfig.CHUNK_BYTES, 10))
                .hasMessageContaining(SnapshotNodeConfig.CHUNK_BYTES);
        assertThatThrownBy(() -> SnapshotNode.builder().setting(SnapshotNodeConfig.REPLICATION_FACTOR, 0))
                .hasMessageContaining(SnapshotNodeConfig.REPLICATION_FACTOR).hasMessageContaining("-1");
        assertThatThrownBy(() -> SnapshotNode.builder().processId("x").stateDir(dir)
                .kafkaProperties(Map.of("bootstrap.servers", "localhost:1", "acks", "1")).build())
                .hasMessageContaining("acks=all");
        assertThatThrownBy(() -> SnapshotNode.builder().processId("x").stateDir(dir).build())
                .hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> SnapshotNode.builder().processId("x").stateDir(dir)
                .kafkaProperties(Map.of("bootstrap.servers", "localhost:1"))
                .setting(SnapshotNodeConfig.CHUNK_BYTES, 2 * 1024 * 1024).build())
                .hasMessageContaining("max.request.size");
    }
}
