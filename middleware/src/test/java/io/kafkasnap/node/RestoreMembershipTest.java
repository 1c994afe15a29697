package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore is decided from the control topic up to its own offset, so every process applies it or none does
 * (DESIGN.md, "Restore"), on the real broker: process n joins after snapshot S, sends to a and stops; a restore to S
 * written without {@code allowNewMembers} is void at a and at n, and the two go on in one epoch; with it, both apply
 * it, n from its initial state.
 */
class RestoreMembershipTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final String control = KafkaFixture.uniqueTopic("control");
    private final String collection = KafkaFixture.uniqueTopic("fragments");
    private final String na = KafkaFixture.uniqueTopic("n-a");
    private final List<SnapshotNode> nodes = new ArrayList<>();
    private final KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(KafkaFixture.clientProperties(),
            new ByteArraySerializer(), new ByteArraySerializer());

    @AfterEach
    void tearDown() {
        nodes.forEach(SnapshotNode::close);
        plain.close();
    }

    private SnapshotNode started(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.kafkaProperties(KafkaFixture.clientProperties()).controlTopic(control)
                .collectionTopic(collection).build();
        nodes.add(node);
        return node.start();
    }

    /** Counts what it got from n in its state. */
    private SnapshotNode a() {
        return started(SnapshotNode.builder().processId("a").stateDir(dir.resolve("a")).incoming(na)
                .onRecord((ctx, record) -> ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1)));
    }

    /** Sends one record to a at every start; counts its starts in its state. */
    private SnapshotNode n() {
        return started(SnapshotNode.builder().processId("n").stateDir(dir.resolve("n")).outgoing(na).onStart(ctx -> {
            ctx.state().putLong("starts", ctx.state().getLong("starts", 0) + 1);
            ctx.send(na, "hello".getBytes(StandardCharsets.UTF_8));
        }));
    }

    private long write(ControlRecord record) throws Exception {
        return plain.send(new ProducerRecord<>(control, 0, null, record.toJson())).get().offset();
    }

    private static long stateLong(GlobalSnapshot snapshot, String process, String key) {
        byte[] bytes = ValueCodec.fromJson(snapshot.process(process).orElseThrow().state().get(key));
        return bytes == null ? 0 : Long.parseLong(new String(bytes, StandardCharsets.UTF_8));
    }

    private List<ControlRecord.Restored> restored() {
        List<ControlRecord.Restored> restored = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaFixture.readAll(control)) {
            try {
                if (ControlRecord.parse(record.value()) instanceof ControlRecord.Restored r) {
                    restored.add(r);
                }
            } catch (Exception e) {
                // not a record of ours
            }
        }
        return restored;
    }

    private GlobalSnapshot snapshot(SnapshotCollector collector) throws Exception {
        GlobalSnapshot snapshot = collector.await(write(ControlRecord.Trigger.anyMember()), PATIENCE).orElseThrow();
        assertThat(snapshot.status()).as(snapshot.detail()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
        return snapshot;
    }

    @Test
    void aRestoreThatANewcomerWouldNotBePartOfIsVoidAtEveryProcessAndBothGoOnInOneEpoch() throws Exception {
        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).timeout(PATIENCE).build()) {
            a();
            GlobalSnapshot s = snapshot(collector);
            assertThat(s.members()).containsExactly("a");

            SnapshotNode n = n();
            await().atMost(PATIENCE).until(() -> stateLong(snapshot(collector), "a", "seen") == 1);
            n.close(); // n leaves; a restore to S checked against the processes present now would pass
            write(new ControlRecord.Restore(s.snapshot(), false));

            GlobalSnapshot after = snapshot(collector);
            assertThat(stateLong(after, "a", "seen")).as("a did not roll back: the restore is void").isEqualTo(1);
            n(); // n reads the same restore at start, and finds it void too
            await().atMost(PATIENCE).until(() -> {
                GlobalSnapshot both = snapshot(collector);
                return both.members().size() == 2 && stateLong(both, "a", "seen") == 2;
            });
            assertThat(restored()).as("nobody applied it").isEmpty();
        }
    }

    @Test
    void withNewMembersAllowedEveryProcessAppliesItTheNewcomerFromItsInitialState() throws Exception {
        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(control).collectionTopic(collection).timeout(PATIENCE).build()) {
            a();
            GlobalSnapshot s = snapshot(collector);

            SnapshotNode n = n();
            await().atMost(PATIENCE).until(() -> stateLong(snapshot(collector), "a", "seen") == 1);
            n.close();
            long epoch = write(new ControlRecord.Restore(s.snapshot(), true));
            n();

            await().atMost(PATIENCE).until(() -> restored().stream().filter(r -> r.epoch() == epoch)
                    .map(ControlRecord.Restored::process).distinct().count() == 2);
            // a is back at S (nothing seen), then gets the record n sends as it starts over from its initial state.
            await().atMost(PATIENCE).until(() -> {
                GlobalSnapshot after = snapshot(collector);
                return stateLong(after, "a", "seen") == 1 && stateLong(after, "n", "starts") == 1;
            });
        }
    }
}
