package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Retention;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.collect.SnapshotLookup;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.Markers;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node on the real broker and RocksDB that publishes a full fragment every third one: the others carry only what
 * changed, and every reader (the collector following the topic, a lookup of one snapshot, a prune) still sees each
 * snapshot's whole state. The node's state is driven by records on its one channel, fed by the test, and it keeps the
 * offset of the last one it applied under "at": so the state it captured is known, the initial keys with every
 * operation up to that offset.
 */
class IncrementalFragmentTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int KEYS = 1_000;
    private static final int OPS_PER_ROUND = 20;
    private static final int ROUNDS = 6;
    private static final long SEED = 42;

    @TempDir
    Path dir;

    @Test
    void incrementalFragmentsRebuildEveryStateForEveryReaderAndAPruneKeepsTheirChain() throws Exception {
        String control = KafkaFixture.uniqueTopic("control");
        String collection = KafkaFixture.uniqueTopic("fragments");
        String in = KafkaFixture.uniqueTopic("ops");
        Random random = new Random(SEED);
        TreeMap<Long, String> ops = new TreeMap<>(); // offset on the channel -> "put k v" or "del k"
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(KafkaFixture.clientProperties(),
                     new ByteArraySerializer(), new ByteArraySerializer());
             SnapshotNode node = SnapshotNode.builder().processId("keeper")
                     .kafkaProperties(KafkaFixture.clientProperties()).controlTopic(control)
                     .collectionTopic(collection).stateDir(dir.resolve("keeper")).incoming(List.of(in))
                     .setting(SnapshotNodeConfig.FRAGMENT_FULL_EVERY, 3)
                     .onStart(ctx -> {
                         for (int k = 0; k < KEYS; k++) {
                             ctx.state().put(key(k), initial(k));
                         }
                     })
                     .onRecord((ctx, record) -> {
                         String[] op = new String(record.value(), StandardCharsets.UTF_8).split(" ");
                         if (op[0].equals("put")) {
                             ctx.state().put(op[1], op[2].getBytes(StandardCharsets.UTF_8));
                         } else {
                             ctx.state().delete(op[1]);
                         }
                         ctx.state().putLong("at", record.offset());
                     })
                     .build().start();
             SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                     .controlTopic(control).collectionTopic(collection).build();
             FragmentReader raw = new FragmentReader(collection)) {
            List<Long> ids = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                for (int i = 0; i < OPS_PER_ROUND; i++) {
                    String op = random.nextInt(4) == 0 ? "del " + key(random.nextInt(KEYS))
                            : "put " + key(random.nextInt(KEYS + 50)) + " r" + round + "i" + i;
                    long offset = plain.send(new ProducerRecord<>(in, 0, null, op.getBytes(StandardCharsets.UTF_8)))
                            .get().offset();
                    ops.put(offset, op);
                }
                long id = collector.trigger(Optional.empty());
                plain.send(Markers.marker(in, id)).get();
                GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow();
                assertThat(snapshot.status()).as("snapshot %d (seed %d)", id, SEED)
                        .isEqualTo(GlobalSnapshot.Status.COMPLETE);
                Map<String, JsonNode> state = snapshot.processes().get("keeper").state();
                assertThat(state)
                        .as("state of snapshot %d, rebuilt by the collector (seed %d)", id, SEED)
                        .isEqualTo(expected(ops, state.get("at")));
                ids.add(id);
            }

            Map<Long, Fragment> published = new TreeMap<>();
            for (long id : ids) {
                published.put(id, await().atMost(PATIENCE).until(() -> raw.poll(id), f -> f.containsKey("keeper"))
                        .get("keeper"));
            }
            List<Integer> versions = published.values().stream().map(Fragment::v).toList();
            assertThat(versions.get(0)).as("the first fragment after a start is full: %s", versions)
                    .isEqualTo(Fragment.VERSION);
            assertThat(versions).as("fragment versions").contains(Fragment.INCREMENTAL_VERSION);
            assertThat(String.join("", versions.stream().map(String::valueOf).toList()))
                    .as("at most two incremental fragments follow a full one").doesNotContain("222");
            long full = published.values().stream().filter(f -> !f.isIncremental())
                    .mapToLong(f -> f.toJson().length).min().orElseThrow();
            long incremental = published.values().stream().filter(Fragment::isIncremental)
                    .mapToLong(f -> f.toJson().length).max().orElseThrow();
            assertThat(incremental).as("bytes of the largest incremental fragment against the smallest full one (%d)",
                    full).isLessThan(full / 10);

            long last = ids.get(ids.size() - 1);
            Fragment lastFragment = published.get(last);
            GlobalSnapshot alone = SnapshotLookup.find(KafkaFixture.clientProperties(), control, collection, last,
                    Long.MAX_VALUE).orElseThrow();
            assertThat(alone.status()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(alone.processes().get("keeper").state()).as("snapshot %d looked up alone", last)
                    .isEqualTo(collector.await(last, PATIENCE).orElseThrow().processes().get("keeper").state());

            Retention.Pruned pruned = Retention.prune(KafkaFixture.clientProperties(), control, collection, 1, false);
            assertThat(pruned.kept()).containsExactly(last);
            if (lastFragment.isIncremental()) {
                assertThat(pruned.deletedBefore()).as("the prune keeps the chain of the snapshot it keeps")
                        .isLessThanOrEqualTo(lastFragment.base().fullOffset());
            }
            GlobalSnapshot afterPrune = SnapshotLookup.find(KafkaFixture.clientProperties(), control, collection,
                    last, Long.MAX_VALUE).orElseThrow();
            assertThat(afterPrune.status()).as("snapshot %d after the prune", last)
                    .isEqualTo(GlobalSnapshot.Status.COMPLETE);
            assertThat(afterPrune.processes().get("keeper").state()).isEqualTo(alone.processes().get("keeper").state());
        }
    }

    private static Map<String, JsonNode> expected(TreeMap<Long, String> ops, JsonNode at) {
        Map<String, byte[]> state = new TreeMap<>();
        for (int k = 0; k < KEYS; k++) {
            state.put(key(k), initial(k));
        }
        if (at == null) {
            return json(state);
        }
        state.put("at", ValueCodec.fromJson(at));
        ops.headMap(at.asLong(), true).values().forEach(op -> {
            String[] parts = op.split(" ");
            if (parts[0].equals("put")) {
                state.put(parts[1], parts[2].getBytes(StandardCharsets.UTF_8));
            } else {
                state.remove(parts[1]);
            }
        });
        return json(state);
    }

    private static Map<String, JsonNode> json(Map<String, byte[]> state) {
        Map<String, JsonNode> json = new TreeMap<>();
        state.forEach((k, v) -> json.put(k, ValueCodec.toJson(v)));
        return json;
    }

    private static String key(int k) {
        return String.format("k%04d", k);
    }

    private static byte[] initial(int k) {
        return ("initial-value-of-key-" + k).getBytes(StandardCharsets.UTF_8);
    }
}
