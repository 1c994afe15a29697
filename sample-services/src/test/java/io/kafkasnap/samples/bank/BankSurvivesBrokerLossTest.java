package io.kafkasnap.samples.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.tools.common.TriggerPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank on 3 real brokers (replication 3, min.insync.replicas 2, both from the cluster's defaults) while the broker
 * that leads most channel partitions dies abruptly and later comes back: nothing is lost or applied twice (money is
 * conserved in every complete snapshot and after draining), and snapshots keep completing while it is down.
 */
class BankSurvivesBrokerLossTest {

    private static final Logger log = LoggerFactory.getLogger(BankSurvivesBrokerLossTest.class);

    private static final int SERVICES = 4;
    private static final long BALANCE = 1000;
    private static final double RATE = 30;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TRIGGER_EVERY = Duration.ofSeconds(1);
    private static final int BEFORE_KILL = 4;
    private static final int WHILE_DOWN = 10;
    private static final int AFTER_RESTART = 4;

    @TempDir
    Path stateRoot;

    @Test
    void killingTheBrokerLeadingMostChannelsLosesNoMoneyAndSnapshotsKeepCompleting() throws Exception {
        long seed = BankSnapshotsTest.seed();
        String prefix = "loss-" + seed + ".";
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).build().start()) {
            Map<String, Object> props = Kafka.clientProperties(kafka.bootstrapServers());
            BankTopology topology = BankTopology.parse("full", SERVICES);
            BankCluster.Config config = new BankCluster.Config(props, topology, prefix, prefix + "control",
                    prefix + "fragments", stateRoot, BALANCE, RATE, seed);
            long expected = BALANCE * SERVICES;
            List<Long> beforeKill = new ArrayList<>();
            List<Long> whileDown = new ArrayList<>();
            List<Long> afterRestart = new ArrayList<>();
            Map<Long, SnapshotView> assembled = new TreeMap<>();
            Set<Long> inFlightAtKill;
            int killed;
            String context;
            try (BankCluster bank = BankCluster.start(config);
                 SnapshotFeed feed = CollectorFeed.open(props, config.controlTopic(), config.collectionTopic(),
                         SNAPSHOT_TIMEOUT);
                 TriggerPublisher publisher = new TriggerPublisher(props, config.controlTopic());
                 Admin admin = Admin.create(props)) {
                List<String> channels = topology.allTopics(prefix);
                assertThat(replicationOf(admin, channels)).as("replicas of every channel").containsOnly(3);

                triggerEverySecond(publisher, feed, BEFORE_KILL, beforeKill, assembled);
                Map<Integer, Long> leaders = leaderCounts(admin, channels);
                killed = leaders.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
                context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), broker " + killed
                        + " killed, channel leaders before " + leaders + ", topics " + prefix + "*";
                inFlightAtKill = new TreeSet<>(beforeKill);
                inFlightAtKill.removeAll(assembled.keySet());
                kafka.kill(killed);

                triggerEverySecond(publisher, feed, WHILE_DOWN, whileDown, assembled);
                awaitAssembled(feed, whileDown, assembled);
                assertThat(leaderCounts(admin, channels)).as("leaders while down; %s", context)
                        .doesNotContainKey(killed);
                kafka.restart(killed);

                triggerEverySecond(publisher, feed, AFTER_RESTART, afterRestart, assembled);
                List<Long> all = new ArrayList<>(beforeKill);
                all.addAll(whileDown);
                all.addAll(afterRestart);
                awaitAssembled(feed, all, assembled);
                bank.nodes().forEach(n -> assertThat(n.failure()).as("%s; %s", n.processId(), context).isEmpty());
            }
            String summary = assembled.values().stream().map(v -> v.id() + ":" + v.status())
                    .collect(Collectors.joining(" "));
            // the figures of docs/reliability.md: trigger to assembled, per phase
            log.info("broker-loss run ({}): before the kill {}; while down {}; after the restart {}", context,
                    phase(beforeKill, assembled), phase(whileDown, assembled), phase(afterRestart, assembled));
            for (SnapshotView view : assembled.values()) {
                assertThat(view.status()).as("snapshot %d: %s; %s", view.id(), summary, context)
                        .isNotEqualTo("inconsistent");
                if (view.isComplete()) {
                    BankCheck.Result check = BankCheck.check(view, OptionalLong.of(expected));
                    assertThat(check.problems()).as("snapshot %d; %s", view.id(), context).isEmpty();
                    assertThat(check.members()).as("members of %d; %s", view.id(), context).hasSize(SERVICES);
                } else {
                    assertThat(inFlightAtKill).as("only a snapshot in flight at the kill may fail, with a reason; "
                            + "%d is %s: %s; %s", view.id(), view.status(), view.json().path("reason"), context)
                            .contains(view.id());
                    assertThat(view.status()).isIn("failed", "timed-out");
                    assertThat(view.json().path("reason").asText()).as("reason of %d", view.id()).isNotBlank();
                }
            }
            for (long id : whileDown) {
                assertThat(assembled.get(id).status()).as("snapshot %d, triggered while broker %d was down; %s; %s",
                        id, killed, summary, context).isEqualTo("complete");
            }
            for (long id : afterRestart) {
                assertThat(assembled.get(id).status()).as("snapshot %d, after the restart; %s; %s", id, summary,
                        context).isEqualTo("complete");
            }
            assertThat(assembled.values().stream().filter(SnapshotView::isComplete)
                    .mapToInt(SnapshotView::inFlightCount).sum())
                    .as("transfers caught in flight, or the run proves little; %s", context).isPositive();

            assertDrainedMoneyIsConserved(config, expected, context);
        }
    }

    /**
     * The branches again on their state, sending nothing: once they have applied every transfer left on the
     * channels, a snapshot has nothing in flight and the balances alone hold all the money, each transfer once.
     */
    private static void assertDrainedMoneyIsConserved(BankCluster.Config running, long expected, String context) {
        BankCluster.Config draining = new BankCluster.Config(running.kafka(), running.topology(), running.topicPrefix(),
                running.controlTopic(), running.collectionTopic(), running.stateRoot(), running.balance(), 0,
                running.seed());
        try (BankCluster bank = BankCluster.start(draining);
             SnapshotFeed feed = CollectorFeed.open(running.kafka(), running.controlTopic(), running.collectionTopic(),
                     SNAPSHOT_TIMEOUT);
             TriggerPublisher publisher = new TriggerPublisher(running.kafka(), running.controlTopic())) {
            List<BankCheck.Result> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                long id = publisher.trigger(Optional.empty());
                Optional<SnapshotView> view = feed.await(id, SNAPSHOT_TIMEOUT.plusSeconds(5));
                assertThat(view).as("drain snapshot %d; %s", id, context).isPresent();
                BankCheck.Result result = BankCheck.check(view.get(), OptionalLong.of(expected));
                seen.add(result);
                assertThat(result.problems()).as("drain snapshot %d; %s", id, context).isEmpty();
                return result.inFlight() == 0;
            });
            BankCheck.Result last = seen.get(seen.size() - 1);
            assertThat(last.balances()).as("balances after draining; %s", context).isEqualTo(expected);
        }
    }

    /** One trigger a second; the wait between triggers reads whatever the collector assembles meanwhile. */
    private static void triggerEverySecond(TriggerPublisher publisher, SnapshotFeed feed, int count, List<Long> ids,
                                           Map<Long, SnapshotView> assembled) {
        for (int i = 0; i < count; i++) {
            ids.add(publisher.trigger(Optional.empty()));
            long until = System.nanoTime() + TRIGGER_EVERY.toNanos();
            for (long left = TRIGGER_EVERY.toNanos(); left > 0; left = until - System.nanoTime()) {
                feed.poll(Duration.ofNanos(left)).forEach(v -> assembled.put(v.id(), v));
            }
        }
    }

    /** Until every id is assembled (complete, failed or timed out: the assembler gives up after its timeout). */
    private static void awaitAssembled(SnapshotFeed feed, List<Long> ids, Map<Long, SnapshotView> assembled) {
        for (long id : ids.stream().sorted(Comparator.naturalOrder()).toList()) {
            if (!assembled.containsKey(id)) {
                Optional<SnapshotView> view = feed.await(id, SNAPSHOT_TIMEOUT.plusSeconds(10));
                assertThat(view).as("snapshot %d assembled or given up", id).isPresent();
                assembled.put(id, view.get());
            }
        }
    }

    private static String phase(List<Long> ids, Map<Long, SnapshotView> assembled) {
        List<Long> millis = ids.stream().map(assembled::get).filter(SnapshotView::isComplete)
                .map(SnapshotView::assemblerMillis).sorted().toList();
        return ids.size() + " triggered, " + millis.size() + " complete, trigger-to-assembled ms " + millis;
    }

    private static Map<Integer, Long> leaderCounts(Admin admin, List<String> topics) throws Exception {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
            if (d.partitions().get(0).leader() != null) {
                counts.merge(d.partitions().get(0).leader().id(), 1L, Long::sum);
            }
        }
        return new TreeMap<>(counts);
    }

    private static Set<Integer> replicationOf(Admin admin, List<String> topics) throws Exception {
        return admin.describeTopics(topics).allTopicNames().get().values().stream()
                .map(d -> d.partitions().get(0).replicas().size()).collect(Collectors.toSet());
    }
}
