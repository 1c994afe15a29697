package io.kafkasnap.node;

import io.kafkasnap.api.NodeContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How snapshots end when they cannot complete, and how a node fails, on the real broker: a snapshot fails with a
 * reason and never hangs, and a snapshot's failure never stops the application.
 */
class SnapshotFailureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final String control = KafkaFixture.uniqueTopic("control");
    private final String collection = KafkaFixture.uniqueTopic("fragments");
    private final String pq = KafkaFixture.uniqueTopic("p-q");
    private final List<SnapshotNode> nodes = new ArrayList<>();
    private final KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(KafkaFixture.clientProperties(),
            new ByteArraySerializer(), new ByteArraySerializer());

    @AfterEach
    void tearDown() {
        nodes.forEach(SnapshotNode::close);
        plain.close();
    }

    private SnapshotNode.Builder receiver(String id) {
        return SnapshotNode.builder()
                .processId(id)
                .kafkaProperties(KafkaFixture.clientProperties())
                .controlTopic(control)
                .collectionTopic(collection)
                .stateDir(dir.resolve(id))
                .incoming(pq)
                .onRecord((ctx, record) -> ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1));
    }

    private SnapshotNode started(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.build();
        nodes.add(node);
        return node.start();
    }

    private long control(String json) throws Exception {
        return plain.send(new ProducerRecord<>(control, 0, null, json.getBytes(StandardCharsets.UTF_8))).get()
                .offset();
    }

    /** A member "p" that joined and then never sends anything, as if it had died right after joining. */
    private void silentSender() throws Exception {
        control(new String(new ControlRecord.Join("p", List.of(), List.of(pq)).toJson(), StandardCharsets.UTF_8));
    }

    private long trigger() throws Exception {
        return control("{\"v\":1,\"type\":\"snapshot\"}");
    }

    private SnapshotCollector collector() {
        return SnapshotCollector.builder(KafkaFixture.clientProperties()).controlTopic(control)
                .collectionTopic(collection).timeout(PATIENCE).build();
    }

    private List<ControlRecord> controlRecords() {
        List<ControlRecord> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : readAll(control)) {
            try {
                records.add(ControlRecord.parse(record.value()));
            } catch (Exception e) {
                // not ours to judge here
            }
        }
        return records;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return KafkaFixture.readAll(topic);
    }

    @Test
    void aSnapshotWhoseMemberNeverSendsItsMarkerTimesOutAtTheReceiverNamingTheChannel() throws Exception {
        silentSender();
        SnapshotNode q = started(receiver("q").setting(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS, 1500L));
        try (SnapshotCollector collector = collector()) {
            long id = trigger();
            GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();

            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("timed-out");
            assertThat(snapshot.detail()).contains("aborted by q", "markers missing on [" + pq + "]");
        }
        assertThat(q.isRunning()).isTrue();
    }

    @Test
    void aTriggerBeyondTheMostConcurrentSnapshotsIsAbortedWithThatReason() throws Exception {
        silentSender();
        started(receiver("q").setting(SnapshotNodeConfig.SNAPSHOT_MAX_CONCURRENT, 1));
        try (SnapshotCollector collector = collector()) {
            trigger();
            long second = trigger();
            GlobalSnapshot snapshot = collector.await(second, PATIENCE).orElseThrow();

            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("too-many-concurrent");
            assertThat(snapshot.detail()).contains("at most 1");
        }
    }

    @Test
    void aFragmentTooLargeForTheCollectionTopicAbortsItsSnapshotAndTheNodeGoesOn() throws Exception {
        byte[] big = new byte[200_000];
        SnapshotNode node = started(SnapshotNode.builder().processId("big")
                .kafkaProperties(KafkaFixture.clientProperties()).controlTopic(control).collectionTopic(collection)
                .stateDir(dir.resolve("big")).onStart(ctx -> ctx.state().put("blob", big)));
        KafkaFixture.setTopicConfig(collection, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "20000");
        try (SnapshotCollector collector = collector()) {
            long id = trigger();
            GlobalSnapshot failed = collector.await(id, PATIENCE).orElseThrow();
            assertThat(failed.status()).isEqualTo(Status.FAILED);
            assertThat(failed.reason()).isEqualTo("fragment-not-published");
            assertThat(failed.detail()).contains("RecordTooLarge");
            assertThat(node.isRunning()).isTrue();

            KafkaFixture.setTopicConfig(collection, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588");
            GlobalSnapshot next = collector.await(trigger(), PATIENCE).orElseThrow();
            assertThat(next.status()).as(next.detail()).isEqualTo(Status.COMPLETE);
        }
    }

    @Test
    void aChunkSizeAboveTheCollectionTopicsLimitIsRefusedAtStart() {
        createTopic(collection, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100000"));
        SnapshotNode node = receiver("q").build();
        assertThatThrownBy(node::start).hasMessageContaining("max.message.bytes=100000")
                .hasMessageContaining(collection);
    }

    @Test
    void aHandlerThatThrowsTakesItsSendsBackWithItsStateChanges() throws Exception {
        String out = KafkaFixture.uniqueTopic("q-r");
        started(receiver("q").outgoing(out).onRecord((ctx, record) -> {
            String text = new String(record.value(), StandardCharsets.UTF_8);
            ctx.send(out, ("echo " + text).getBytes(StandardCharsets.UTF_8));
            ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1);
            if (text.equals("bad")) {
                throw new IllegalArgumentException("refusing " + text);
            }
        }));
        plain.send(new ProducerRecord<>(pq, 0, null, "bad".getBytes(StandardCharsets.UTF_8))).get();
        plain.send(new ProducerRecord<>(pq, 0, null, "good".getBytes(StandardCharsets.UTF_8))).get();

        List<String> sent = await().atMost(PATIENCE).until(() -> values(readAll(out)), v -> !v.isEmpty());
        assertThat(sent).containsExactly("echo good");
    }

    @Test
    void theContextRefusesUseFromAnotherThreadNamingIt() {
        AtomicReference<NodeContext> leaked = new AtomicReference<>();
        SnapshotNode node = started(receiver("q").onStart(leaked::set));
        Thread.currentThread().setName("test-main");

        assertThatThrownBy(() -> leaked.get().state().get("seen")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test-main").hasMessageContaining("event loop");
        assertThat(node.isRunning()).isTrue();
    }

    @Test
    void aNodeThatFailsAtStartAfterJoiningWritesLeave() {
        SnapshotNode node = receiver("q").onStart(ctx -> {
            throw new IllegalStateException("no config");
        }).build();

        assertThatThrownBy(node::start).hasMessageContaining("no config");
        assertThat(controlRecords()).containsSubsequence(
                new ControlRecord.Join("q", List.of(pq), List.of()), new ControlRecord.Leave("q"));
    }

    @Test
    void aPermanentSendFailureStopsTheNodeNamingTheChannel() throws Exception {
        String out = KafkaFixture.uniqueTopic("q-small");
        createTopic(out, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000"));
        SnapshotNode node = started(receiver("q").outgoing(out)
                .onRecord((ctx, record) -> ctx.send(out, new byte[5000])));
        plain.send(new ProducerRecord<>(pq, 0, null, "go".getBytes(StandardCharsets.UTF_8))).get();

        await().atMost(PATIENCE).until(() -> !node.isRunning());
        assertThat(node.failure()).get().extracting(Throwable::getMessage).asString()
                .contains("channel " + out).contains("RecordTooLarge");
    }

    @Test
    void aNodeKilledWhileRecordingAbortsThatSnapshotWhenItRestarts() throws Exception {
        silentSender();
        String status = KafkaFixture.uniqueTopic("status");
        Path state = dir.resolve("q");
        Path output = dir.resolve("q.out");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CapturingNodeMain.class.getName(),
                KafkaFixture.bootstrapServers(), control, collection, status, state.toString(), pq)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try (SnapshotCollector collector = collector()) {
            await().atMost(PATIENCE).failFast(() -> !process.isAlive())
                    .until(() -> Files.readString(output).contains("q running"));
            long id = trigger();
            // The node says it holds the snapshot (its capture taken, waiting for p's marker): kill it there.
            await().atMost(PATIENCE).until(() -> inFlightOf(status, "q").contains(id));
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

            SnapshotNode restarted = started(SnapshotNode.builder().processId("q")
                    .kafkaProperties(KafkaFixture.clientProperties()).controlTopic(control)
                    .collectionTopic(collection).setting(SnapshotNodeConfig.STATUS_TOPIC, status).stateDir(state)
                    .incoming(pq).onRecord((ctx, record) -> { }));
            GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();

            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("restarted-during-snapshot");
            assertThat(snapshot.detail()).contains("aborted by q");
            assertThat(restarted.isRunning()).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aNodeRestartedAfterReadingATriggerAbortsThatSnapshotWhenItsMarkerArrivesInsteadOfLettingItTimeOut()
            throws Exception {
        silentSender();
        String status = KafkaFixture.uniqueTopic("status");
        Path state = dir.resolve("q");
        Path output = dir.resolve("q.out");
        Duration snapshotTimeout = Duration.ofMinutes(5);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CapturingNodeMain.class.getName(),
                KafkaFixture.bootstrapServers(), control, collection, status, state.toString(), pq)
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).timeout(snapshotTimeout).build()) {
            await().atMost(PATIENCE).failFast(() -> !process.isAlive())
                    .until(() -> Files.readString(output).contains("q running"));
            // p initiates: q records only when p's marker arrives, so q reads this trigger and holds nothing for it.
            long missed = control("{\"v\":1,\"type\":\"snapshot\",\"initiator\":\"p\"}");
            // q records this one at once; once its status says so, q has read (and committed) past the first.
            long later = trigger();
            await().atMost(PATIENCE).until(() -> inFlightOf(status, "q").contains(later));
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

            started(SnapshotNode.builder().processId("q").kafkaProperties(KafkaFixture.clientProperties())
                    .controlTopic(control).collectionTopic(collection).setting(SnapshotNodeConfig.STATUS_TOPIC, status)
                    .setting(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS, snapshotTimeout.toMillis()).stateDir(state)
                    .incoming(pq).onRecord((ctx, record) -> { }));
            // p's marker of the first snapshot, as p would send it: the first record of the channel.
            plain.send(new ProducerRecord<byte[], byte[]>(pq, 0, (byte[]) null, new byte[0],
                    ChannelHeaders.of(0, 0, missed, false))).get();

            // Far sooner than the 5-minute timeout that would otherwise end it.
            AtomicReference<GlobalSnapshot> ended = new AtomicReference<>();
            await("snapshot " + missed + " ends, long before its timeout").atMost(PATIENCE).until(() -> {
                collector.poll(Duration.ofMillis(200));
                Optional<GlobalSnapshot> snapshot = collector.get(missed);
                snapshot.ifPresent(ended::set);
                return snapshot.map(g -> g.status() != Status.IN_PROGRESS).orElse(false);
            });
            GlobalSnapshot snapshot = ended.get();
            assertThat(snapshot.status()).as(snapshot.detail()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("restarted-during-snapshot");
            assertThat(snapshot.detail()).contains("aborted by q", "q restarted after reading the trigger of snapshot "
                    + missed, "before recording its state");
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<Long> inFlightOf(String statusTopic, String process) throws Exception {
        List<Long> inFlight = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : readAll(statusTopic)) {
            if (record.value() != null && process.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                inFlight.clear();
                JsonNode status = JSON.readTree(record.value());
                status.path("inFlight").forEach(s -> inFlight.add(s.asLong()));
            }
        }
        return inFlight;
    }

    private static List<String> values(Collection<ConsumerRecord<byte[], byte[]>> records) {
        List<String> values = new ArrayList<>();
        records.forEach(r -> values.add(r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
        return values;
    }

    private static void createTopic(String topic, Map<String, String> configs) {
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
    }
}
