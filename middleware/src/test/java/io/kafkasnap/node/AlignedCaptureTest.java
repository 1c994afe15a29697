package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot triggered while the sink is tens of thousands of records behind its source, on the real broker: with
 * aligned capture on, the sink waits until at most {@code kafkasnap.snapshot.align.max.lag} records are left before
 * the marker and records only those; with it off it keeps the whole backlog. Either way the snapshot is complete and
 * its counts add up.
 */
class AlignedCaptureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int RECORDS = 30_000;

    @TempDir
    Path dir;

    private final String control = KafkaFixture.uniqueTopic("control");
    private final String collection = KafkaFixture.uniqueTopic("fragments");
    private final String channel = KafkaFixture.uniqueTopic("p-q");
    private final List<SnapshotNode> nodes = new ArrayList<>();
    private final CountDownLatch sinkBlocked = new CountDownLatch(1);
    private final CountDownLatch releaseSink = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        releaseSink.countDown();
        nodes.forEach(SnapshotNode::close);
    }

    private SnapshotNode.Builder node(String id, int alignMaxLag) {
        return SnapshotNode.builder()
                .processId(id)
                .kafkaProperties(KafkaFixture.clientProperties())
                .controlTopic(control)
                .collectionTopic(collection)
                .stateDir(dir.resolve(id))
                .setting(SnapshotNodeConfig.SNAPSHOT_ALIGN_MAX_LAG, alignMaxLag);
    }

    @ParameterizedTest(name = "align.max.lag={0}")
    @ValueSource(ints = {1_000, 0})
    void aSinkFarBehindWaitsForTheMarkerInsteadOfRecordingTheBacklog(int alignMaxLag) throws Exception {
        SnapshotNode sink = node("q", alignMaxLag).incoming(List.of(channel))
                .onRecord((ctx, record) -> {
                    if (sinkBlocked.getCount() > 0) {
                        sinkBlocked.countDown();
                        // Holds the sink's loop so that the backlog builds up behind it.
                        assertThat(releaseSink.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
                    }
                    ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1);
                }).build();
        nodes.add(sink);
        sink.start();
        SnapshotNode source = node("p", alignMaxLag).outgoing(List.of(channel))
                .timer(Duration.ofMillis(1), ctx -> {
                    long sent = ctx.state().getLong("sent", 0);
                    for (int i = 0; i < 1_000 && sent < RECORDS; i++, sent++) {
                        ctx.send(channel, new byte[100]);
                    }
                    ctx.state().putLong("sent", sent);
                }).build();
        nodes.add(source);
        source.start();

        assertThat(sinkBlocked.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaFixture.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(channel, 0);
            await().atMost(PATIENCE).until(() -> consumer.endOffsets(List.of(partition)).get(partition) >= RECORDS);
        }
        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).build()) {
            long id = collector.trigger(Optional.empty());
            releaseSink.countDown();
            GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();

            assertThat(snapshot.status()).as("%s", snapshot.reason()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(snapshot.consistency().violations()).isEmpty();
            GlobalSnapshot.ChannelState state = snapshot.channels().get(channel);
            long counted = snapshot.processes().get("q").state().get("count").asLong();
            long sent = snapshot.processes().get("p").state().get("sent").asLong();
            assertThat(sent).isEqualTo(RECORDS);
            assertThat(counted + state.messages().size()).as("counted and in flight").isEqualTo(sent);
            if (alignMaxLag > 0) {
                // It waited while the backlog was longer than the lag allowed, and captured once the records still
                // ahead of the marker were down to that many.
                assertThat(state.messages()).as("recorded after the wait").hasSizeLessThanOrEqualTo(alignMaxLag);
                assertThat(state.markerOffset() - state.recordedFrom()).isLessThanOrEqualTo(alignMaxLag);
            } else {
                assertThat(state.messages()).as("the backlog, recorded").hasSizeGreaterThan(RECORDS / 2);
            }
        }
    }
}
