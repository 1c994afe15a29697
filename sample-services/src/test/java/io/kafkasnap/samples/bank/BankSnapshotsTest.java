package io.kafkasnap.samples.bank;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank on the real broker, under load: every snapshot must be complete, consistent by rules 1–3 (no violations)
 * and conserve money (balances + transfers in flight = the initial total).
 */
class BankSnapshotsTest {

    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(30);
    private static final int SNAPSHOTS = 20;

    @TempDir
    Path stateRoot;

    @Test
    void threeServicesFullTopologyEverySnapshotConservesMoney() {
        runBank(3, "full", 200, false);
    }

    @Test
    void fiveServicesRandomTopologyWithOverlappingSnapshotsConservesMoney() {
        runBank(5, "random:" + seed(), 150, true);
    }

    private void runBank(int services, String topologySpec, double rate, boolean overlapping) {
        long seed = seed();
        String prefix = KafkaFixture.uniqueTopic("bank" + services) + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        BankTopology topology = BankTopology.parse(topologySpec, services);
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topology " + topology
                + ", topics " + prefix + "*";
        BankCluster.Config config = new BankCluster.Config(props, topology, prefix, prefix + "control",
                prefix + "fragments", stateRoot, 1000, rate, seed);
        List<BankCheck.Result> results = new ArrayList<>();
        try (BankCluster bank = BankCluster.start(config);
             SnapshotFeed feed = CollectorFeed.open(props, config.controlTopic(), config.collectionTopic(),
                     SNAPSHOT_TIMEOUT);
             TriggerPublisher publisher = new TriggerPublisher(props, config.controlTopic())) {
            while (results.size() < SNAPSHOTS) {
                List<Long> ids = new ArrayList<>();
                ids.add(publisher.trigger(Optional.empty()));
                if (overlapping) {
                    // a second snapshot while the first is still in flight, started by one member only
                    ids.add(publisher.trigger(Optional.of(BankTopology.processId(results.size() % services))));
                }
                for (long id : ids) {
                    Optional<SnapshotView> view = feed.await(id, SNAPSHOT_TIMEOUT.plusSeconds(5));
                    assertThat(view).as("snapshot %d assembled; %s", id, context).isPresent();
                    BankCheck.Result result = BankCheck.check(view.get(), OptionalLong.of(bank.expectedTotal()));
                    assertThat(result.problems()).as("snapshot %d: %s; %s", id, view.get().toPrettyJson(), context)
                            .isEmpty();
                    assertThat(result.members()).as("members of snapshot %d; %s", id, context).hasSize(services);
                    results.add(result);
                }
                bank.nodes().forEach(n -> assertThat(n.failure()).as("%s; %s", n.processId(), context).isEmpty());
            }
        }
        assertThat(results).hasSizeGreaterThanOrEqualTo(SNAPSHOTS);
        assertThat(results).as("every snapshot complete, consistent and conserving money; %s", context)
                .allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo("complete");
                    assertThat(r.total()).isEqualTo(1000L * services);
                });
        // under load, some snapshots must have caught transfers on the wire, or the test proves little
        assertThat(results.stream().mapToInt(BankCheck.Result::inFlight).sum())
                .as("transfers recorded in flight over %d snapshots; %s", results.size(), context).isPositive();
    }

    static long seed() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        return fixed != null ? fixed : System.nanoTime() % 1_000_000;
    }
}
