package io.kafkasnap.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two schedulers for one group of two real nodes on the real broker: each reports its own snapshots, assembled and
 * complete, and together they trigger at about the rate of one, because each skips while another's trigger is
 * younger than the interval.
 */
class SnapshotSchedulerTest {

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final int TRIGGERS = 10;

    @TempDir
    Path dir;

    @Test
    void twoSchedulersDoNotDoubleTheRateAndEachReportsItsOwnCompleteSnapshots() throws Exception {
        long seed = Long.getLong("kafkasnap.test.seed", System.nanoTime() % 1_000_000);
        String control = KafkaFixture.uniqueTopic("sched.control");
        String collection = KafkaFixture.uniqueTopic("sched.fragments");
        String ab = KafkaFixture.uniqueTopic("sched.a.b");
        KafkaFixture.createTopics(1, control, collection, ab);
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), control topic " + control;
        Properties props = KafkaFixture.clientProperties();
        List<Long> triggeredByA = new CopyOnWriteArrayList<>();
        List<Long> triggeredByB = new CopyOnWriteArrayList<>();
        ConcurrentHashMap<Long, GlobalSnapshot> results = new ConcurrentHashMap<>();
        try (SnapshotNode a = SnapshotNode.builder().processId("a").kafkaProperties(props).stateDir(dir.resolve("a"))
                     .outgoing(ab).controlTopic(control).collectionTopic(collection)
                     .timer(Duration.ofMillis(20), ctx -> ctx.send(ab, "x".getBytes(StandardCharsets.UTF_8)))
                     .build().start();
             SnapshotNode b = SnapshotNode.builder().processId("b").kafkaProperties(props).stateDir(dir.resolve("b"))
                     .incoming(ab).controlTopic(control).collectionTopic(collection)
                     .onRecord((ctx, r) -> ctx.state().putLong("n", ctx.state().getLong("n", 0) + 1))
                     .build().start();
             SnapshotScheduler first = scheduler(props, control, collection, seed, triggeredByA, results);
             SnapshotScheduler second = scheduler(props, control, collection, seed + 1, triggeredByB, results)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> triggeredByA.size() + triggeredByB.size() >= TRIGGERS);
            assertThat(first.failure()).as(context).isEmpty();
            assertThat(second.failure()).as(context).isEmpty();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(results.keySet())
                    .as("results reported; %s", context).containsAll(firstN(triggeredByA, triggeredByB)));
        }
        assertThat(results.values()).as(context).allSatisfy(s -> {
            assertThat(s.isComplete()).isTrue();
            assertThat(s.members()).containsExactly("a", "b");
        });

        List<Long> times = triggerTimestamps(props, control);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i) - times.get(i - 1));
        }
        List<Long> sorted = gaps.stream().sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        // Two schedulers that did not look at each other's triggers would interleave: a median gap near interval/2.
        assertThat(median).as("median gap between triggers %s with interval %s; %s", gaps, INTERVAL, context)
                .isGreaterThanOrEqualTo(INTERVAL.toMillis() * 9 / 10);
        assertThat(triggeredByA).as("both schedulers triggered (else the test shows nothing); %s", context)
                .isNotEmpty();
        assertThat(triggeredByB).as(context).isNotEmpty();
    }

    private static List<Long> firstN(List<Long> a, List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static SnapshotScheduler scheduler(Properties props, String control, String collection, long seed,
                                               List<Long> triggered, ConcurrentHashMap<Long, GlobalSnapshot> results) {
        return SnapshotScheduler.builder(props).controlTopic(control).collectionTopic(collection).interval(INTERVAL)
                .timeout(Duration.ofSeconds(30)).maxConcurrent(1).seed(seed)
                .listener(new SnapshotScheduler.Listener() {
                    @Override
                    public void onResult(GlobalSnapshot snapshot) {
                        results.put(snapshot.snapshot(), snapshot);
                    }

                    @Override
                    public void onTriggered(long snapshotId) {
                        triggered.add(snapshotId);
                    }
                }).build().start();
    }

    private static List<Long> triggerTimestamps(Properties props, String control) {
        List<Long> times = new ArrayList<>();
        TopicPartition partition = new TopicPartition(control, 0);
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        if (ControlRecord.parse(record.value()) instanceof ControlRecord.Trigger) {
                            times.add(record.timestamp());
                        }
                    } catch (Exception e) {
                        // joins and leaves only
                    }
                }
            }
        }
        return times;
    }
}
