package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.api.Codec;
import io.kafkasnap.api.Restore;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API on the real broker: restore and failure listeners, headers, codecs, prefix and range reads. */
class NodeApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** A JSON value for the codec tests. */
    record Account(String owner, long balance) {
    }

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

    private SnapshotNode.Builder node(String id) {
        return SnapshotNode.builder()
                .processId(id)
                .kafkaProperties(KafkaFixture.clientProperties())
                .controlTopic(control)
                .collectionTopic(collection)
                .stateDir(dir.resolve(id));
    }

    private SnapshotNode started(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.build();
        nodes.add(node);
        return node.start();
    }

    private SnapshotCollector collector() {
        return SnapshotCollector.builder(KafkaFixture.clientProperties()).controlTopic(control)
                .collectionTopic(collection).timeout(PATIENCE).build();
    }

    private void sendPlain(String topic, String value) throws Exception {
        plain.send(new ProducerRecord<>(topic, 0, null, value.getBytes(StandardCharsets.UTF_8))).get();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theRestoreListenerSeesTheSnapshotsStateInTheNewEpochAndWhatItWritesCommitsWithTheRestore()
            throws Exception {
        String in = KafkaFixture.uniqueTopic("in");
        AtomicLong outside = new AtomicLong(); // what lives outside the node: a cache of the count
        List<Restore> restores = new CopyOnWriteArrayList<>();
        List<Long> seenAtRestore = new CopyOnWriteArrayList<>();
        started(node("counter").incoming(in)
                .onRecord((ctx, record) -> {
                    ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1);
                    outside.incrementAndGet();
                })
                .onRestore((ctx, restore) -> {
                    restores.add(restore);
                    long seen = ctx.state().getLong("seen", 0);
                    seenAtRestore.add(seen);
                    outside.set(seen);
                    ctx.state().putLong("restored-epoch", restore.epoch());
                }));
        try (SnapshotCollector collector = collector()) {
            for (int i = 0; i < 3; i++) {
                sendPlain(in, "r" + i);
            }
            await().atMost(PATIENCE).until(() -> outside.get() == 3);
            long snapshot = collector.trigger(Optional.empty());
            GlobalSnapshot taken = collector.await(snapshot, PATIENCE).orElseThrow();
            assertThat(taken.status()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(taken.processes().get("counter").state().get("seen").asLong()).isEqualTo(3);

            sendPlain(in, "r3");
            sendPlain(in, "r4");
            await().atMost(PATIENCE).until(() -> outside.get() == 5);
            assertThat(restores).isEmpty();

            long epoch;
            try (Restores.Handle restore = collector.restore(snapshot, false)) {
                assertThat(restore.await(PATIENCE)).as("restored").isTrue();
                epoch = restore.epoch();
            }
            assertThat(restores).containsExactly(new Restore(snapshot, epoch, Restore.Part.MEMBER));
            assertThat(seenAtRestore).containsExactly(3L);
            assertThat(outside.get()).isEqualTo(3);

            sendPlain(in, "r5");
            await().atMost(PATIENCE).until(() -> outside.get() == 4);
            long after = collector.trigger(Optional.empty());
            GlobalSnapshot later = collector.await(after, PATIENCE).orElseThrow();
            assertThat(later.status()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(later.processes().get("counter").state().get("seen").asLong()).isEqualTo(4);
            assertThat(later.processes().get("counter").state().get("restored-epoch").asLong()).isEqualTo(epoch);
        }
    }

    @Test
    void theFailureListenerIsCalledOnceAfterTheNodeStopped() throws Exception {
        String in = KafkaFixture.uniqueTopic("in");
        String out = KafkaFixture.uniqueTopic("small");
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(out, 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000")))).all().get();
        }
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Boolean> runningWhenCalled = new AtomicReference<>();
        CompletableFuture<Throwable> heard = new CompletableFuture<>();
        AtomicReference<SnapshotNode> self = new AtomicReference<>();
        SnapshotNode node = started(node("q").incoming(in).outgoing(out)
                .onRecord((ctx, record) -> ctx.send(out, new byte[5000]))
                .onFailure(error -> {
                    calls.incrementAndGet();
                    runningWhenCalled.set(self.get().isRunning());
                    self.get().close(); // allowed on the node's own thread
                    heard.complete(error);
                }));
        self.set(node);
        sendPlain(in, "go");

        Throwable error = await().atMost(PATIENCE).until(() -> heard.getNow(null), e -> e != null);
        assertThat(error).hasMessageContaining("channel " + out);
        assertThat(node.failure()).containsSame(error);
        assertThat(runningWhenCalled.get()).isFalse();
        node.close();
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void theFailureListenerHearsOfAFailedStartTooWhichThrows() {
        CompletableFuture<Throwable> heard = new CompletableFuture<>();
        SnapshotNode node = node("s").onStart(ctx -> {
            throw new IllegalStateException("no config");
        }).onFailure(heard::complete).build();
        nodes.add(node);

        assertThatThrownBy(node::start).hasMessageContaining("no config");
        assertThat(heard).isCompleted();
        assertThat(heard.join()).hasMessage("no config");
    }

    @Test
    void headersOfTheServiceTravelBesideKafkasnapsAndReservedNamesAreRefused() throws Exception {
        String pq = KafkaFixture.uniqueTopic("p-q");
        AtomicReference<Throwable> refused = new AtomicReference<>();
        List<String> received = new CopyOnWriteArrayList<>();
        started(node("q").incoming(pq).onRecord((ctx, record) -> {
            byte[] trace = record.header("trace");
            received.add(record.key(Codec.string()) + ":" + record.value(Codec.json(Account.class)) + ":"
                    + (trace == null ? "none" : new String(trace, StandardCharsets.UTF_8)));
        }));
        started(node("p").outgoing(pq).onStart(ctx -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", utf8("t-1"));
            ctx.send(pq, utf8("ann"), Codec.json(Account.class).encode(new Account("ann", 5)), headers);
            ctx.send(pq, "bob", Codec.string(), new Account("bob", 7), Codec.json(Account.class));
            ctx.send(pq, utf8("eve"), utf8("{}"), Map.of("trace", utf8("t-3")));
            try {
                ctx.send(pq, null, utf8("x"), Map.of("KafkaSnap-seq", utf8("0")));
            } catch (IllegalArgumentException e) {
                refused.set(e);
            }
        }));

        assertThat(refused.get()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KafkaSnap-seq").hasMessageContaining("kafkasnap-");
        await().atMost(PATIENCE).until(() -> received.size() == 3);
        assertThat(received).containsExactly("ann:Account[owner=ann, balance=5]:t-1",
                "bob:Account[owner=bob, balance=7]:none", "eve:Account[owner=null, balance=0]:t-3");

        List<ConsumerRecord<byte[], byte[]>> raw = KafkaFixture.readAll(pq);
        assertThat(raw).hasSize(3);
        List<String> names = new ArrayList<>();
        for (Header h : raw.get(0).headers()) {
            names.add(h.key());
        }
        assertThat(names).containsExactly("kafkasnap-epoch", "kafkasnap-seq", "trace");
    }

    @Test
    void typedStateAndPrefixAndRangeReadsOnTheLoop() {
        Codec<Account> accounts = Codec.json(Account.class);
        AtomicReference<List<String>> prefixed = new AtomicReference<>();
        AtomicReference<List<String>> ranged = new AtomicReference<>();
        AtomicReference<String> typed = new AtomicReference<>();
        started(node("t").onStart(ctx -> {
            ctx.state().put("acct/bob", new Account("bob", 7), accounts);
            ctx.state().put("acct/ann", new Account("ann", 5), accounts);
            ctx.state().put("acct", new Account("not under the prefix", 0), accounts);
            ctx.state().put("name", "t", Codec.string());
            ctx.state().put("count", 41L, Codec.longs());
            ctx.state().putLong("count", ctx.state().get("count", Codec.longs()) + 1);
            List<String> p = new ArrayList<>();
            ctx.state().forEachWithPrefix("acct/", (k, v) -> p.add(k + "=" + accounts.decode(v).balance()));
            prefixed.set(p);
            List<String> r = new ArrayList<>();
            ctx.state().range("acct/b", "count", (k, v) -> r.add(k));
            ranged.set(r);
            typed.set(ctx.state().get("name", Codec.string()) + "/" + ctx.state().getLong("count", 0) + "/"
                    + ctx.state().get("absent", accounts));
            ctx.state().put("name", null, Codec.string());
        }));

        assertThat(prefixed.get()).containsExactly("acct/ann=5", "acct/bob=7");
        assertThat(ranged.get()).containsExactly("acct/bob");
        assertThat(typed.get()).isEqualTo("t/42/null");
    }

    @Test
    void aNodeWithoutChannelsIsAllowedAndItsStateTakesPartInSnapshots() {
        started(node("lonely").onStart(ctx -> ctx.state().putLong("kept", 7)));
        try (SnapshotCollector collector = collector()) {
            long id = collector.trigger(Optional.empty());
            GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();
            assertThat(snapshot.status()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(snapshot.processes().get("lonely").state().get("kept").asLong()).isEqualTo(7);
        }
    }

    @Test
    void aBadValueNamesItsSettingAndABadCombinationIsAnIllegalState() {
        assertThatThrownBy(() -> SnapshotNode.builder().processId("has space"))
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("processId"));
        assertThatThrownBy(() -> SnapshotNode.builder().setting(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS, -5))
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS));
        assertThatThrownBy(() -> SnapshotNode.builder().timer(Duration.ZERO, ctx -> { }))
                .isInstanceOf(SnapshotNodeConfigException.class).hasMessageContaining("timer");
        assertThatThrownBy(() -> SnapshotNode.builder().incoming("a").incoming("a"))
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("incoming"));
        assertThatThrownBy(() -> node("x").kafkaProperties(Map.of("acks", "1")).build())
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("acks"));
        assertThatThrownBy(() -> node("x").kafkaProperties(Map.of("transactional.id", "t")).build())
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("transactional.id"));
        assertThatThrownBy(() -> node("x").kafkaProperties(Map.of("enable.idempotence", "false")).build())
                .isInstanceOfSatisfying(SnapshotNodeConfigException.class,
                        e -> assertThat(e.setting()).isEqualTo("enable.idempotence"));

        assertThatThrownBy(() -> SnapshotNode.builder().stateDir(dir).build())
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("processId");
        assertThatThrownBy(() -> node("x").incoming("in").build())
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("onRecord");
        assertThatThrownBy(() -> node("x").setting(SnapshotNodeConfig.CHUNK_BYTES, 2 * 1024 * 1024).build())
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("max.request.size");
        assertThatThrownBy(() -> node("x").incoming(control).onRecord((ctx, r) -> { }).build())
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining(control);
    }

    @Test
    void theSettingsDefinitionIsReadableAndChangingTheCopyChangesNothing() {
        ConfigDef definition = SnapshotNodeConfig.configDef();
        assertThat(definition.names()).contains(SnapshotNodeConfig.CONTROL_TOPIC, SnapshotNodeConfig.STORE_SYNC);
        assertThat(definition.configKeys().get(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS).defaultValue)
                .isEqualTo(60_000L);
        definition.define("kafkasnap.extra", ConfigDef.Type.INT, ConfigDef.Importance.LOW, "added by a caller");
        assertThat(SnapshotNodeConfig.configDef().names()).doesNotContain("kafkasnap.extra");
        assertThatThrownBy(() -> SnapshotNode.builder().setting("kafkasnap.extra", 1))
                .isInstanceOf(SnapshotNodeConfigException.class);
    }
}
