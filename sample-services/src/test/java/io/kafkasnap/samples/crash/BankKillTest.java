package io.kafkasnap.samples.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.samples.bank.BankCheck;
import io.kafkasnap.samples.chaos.BankProcess;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four bank services as real processes on a full graph, under load; one after another is killed with SIGKILL right
 * after a snapshot is triggered and started again from its state directory. Nothing may be lost or applied twice:
 * every complete snapshot conserves the money, every other one failed with a reason, a snapshot after each restart
 * completes, the channels carry every sequence number without a gap, and after draining the balances add up.
 */
class BankKillTest {

    private static final int SERVICES = 4;
    private static final int KILLS = 6;
    private static final double RATE = 100;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);
    private static final long TOTAL = 1000L * SERVICES;

    @TempDir
    Path root;

    private final List<BankProcess> banks = new ArrayList<>();

    @AfterEach
    void tearDown() {
        banks.forEach(BankProcess::destroy);
    }

    @Test
    void killingServicesWithSigkillNeverCreatesOrLosesMoney() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        String prefix = KafkaFixture.uniqueTopic("kill") + ".";
        BankTopology topology = BankTopology.parse("full", SERVICES);
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        for (int i = 0; i < SERVICES; i++) {
            banks.add(new BankProcess(i, topology, KafkaFixture.bootstrapServers(), prefix, root, seed * 31 + i));
        }
        // All at once, as docker-compose starts them: they race to create the same topics.
        for (BankProcess bank : banks) {
            bank.launch(RATE);
        }
        for (BankProcess bank : banks) {
            bank.awaitRunning();
        }

        List<SnapshotView> views = new ArrayList<>();
        int completeAfterRestart = 0;
        try (SnapshotFeed feed = CollectorFeed.open(props, prefix + "control", prefix + "fragments",
                SNAPSHOT_TIMEOUT);
             TriggerPublisher publisher = new TriggerPublisher(props, prefix + "control")) {
            for (int kill = 0; kill < KILLS; kill++) {
                BankProcess victim = banks.get(random.nextInt(SERVICES));
                long during = publisher.trigger(Optional.empty());
                victim.kill();
                victim.start(RATE);
                views.add(awaitSnapshot(feed, during, context));
                long after = publisher.trigger(Optional.empty());
                SnapshotView next = awaitSnapshot(feed, after, context);
                views.add(next);
                if (next.isComplete()) {
                    completeAfterRestart++;
                }
            }

            for (SnapshotView view : views) {
                BankCheck.Result result = BankCheck.check(view, OptionalLong.of(TOTAL));
                if (view.isComplete()) {
                    assertThat(result.problems()).as("complete snapshot %d: %s; %s", view.id(),
                            view.toPrettyJson(), context).isEmpty();
                    assertThat(result.total()).as("money in snapshot %d; %s", view.id(), context).isEqualTo(TOTAL);
                } else {
                    assertThat(view.status()).as("snapshot %d: %s; %s", view.id(), view.toPrettyJson(), context)
                            .isIn("failed", "timed-out");
                    assertThat(view.reason()).as("reason of snapshot %d; %s", view.id(), context).isNotBlank();
                }
            }
            assertThat(completeAfterRestart).as("snapshots complete right after a restart; %s", context)
                    .isEqualTo(KILLS);

            // Drain: stop every service cleanly, start them again sending nothing, until nothing is in flight.
            for (BankProcess bank : banks) {
                bank.stop();
            }
            for (BankProcess bank : banks) {
                bank.launch(0);
            }
            for (BankProcess bank : banks) {
                bank.awaitRunning();
            }
            SnapshotView drained = await().atMost(Duration.ofMinutes(2)).until(
                    () -> awaitSnapshot(feed, publisher.trigger(Optional.empty()), context),
                    view -> view.isComplete() && view.inFlightCount() == 0);
            BankCheck.Result result = BankCheck.check(drained, OptionalLong.of(TOTAL));
            assertThat(result.problems()).as("drained snapshot %d; %s", drained.id(), context).isEmpty();
            assertThat(result.balances()).as("balances after draining; %s", context).isEqualTo(TOTAL);
        }

        Map<String, ChannelLogs.Sequences> wire = ChannelLogs.read(topology.allTopics(prefix));
        int resent = wire.values().stream().mapToInt(ChannelLogs.Sequences::resent).sum();
        int records = wire.values().stream().mapToInt(ChannelLogs.Sequences::records).sum();
        wire.forEach((topic, sequences) -> assertThat(sequences.gaps())
                .as("sequence numbers missing on %s; %s", topic, context).isEmpty());
        System.out.printf("BankKillTest: %d kills, %d snapshots (%d complete), %d channel records of which %d"
                        + " re-sent and dropped by their receivers; %s%n", KILLS, views.size(),
                views.stream().filter(SnapshotView::isComplete).count(), records, resent, context);
    }

    private static SnapshotView awaitSnapshot(SnapshotFeed feed, long id, String context) {
        Optional<SnapshotView> view = feed.await(id, SNAPSHOT_TIMEOUT.plusSeconds(10));
        assertThat(view).as("snapshot %d assembled; %s", id, context).isPresent();
        return view.get();
    }

    static long seed() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        return fixed != null ? fixed : System.nanoTime() % 1_000_000;
    }
}
