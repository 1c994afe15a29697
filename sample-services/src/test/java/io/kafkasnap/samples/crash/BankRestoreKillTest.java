package io.kafkasnap.samples.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.samples.bank.BankMoney;
import io.kafkasnap.samples.chaos.BankProcess;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore survives SIGKILL: four bank processes are stopped, started again sending nothing, and restored to a
 * snapshot S; one of them is killed right after the restore is written, in the middle of applying it, and started
 * again. Every member ends up restored, and every balance is S's plus what S recorded in flight towards it.
 */
class BankRestoreKillTest {

    private static final int SERVICES = 4;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path root;

    private final List<BankProcess> banks = new ArrayList<>();

    @AfterEach
    void tearDown() {
        banks.forEach(BankProcess::destroy);
    }

    @Test
    void aServiceKilledWhileApplyingARestoreFinishesItWhenItStartsAgain() throws Exception {
        long seed = BankKillTest.seed();
        String prefix = KafkaFixture.uniqueTopic("restore-kill") + ".";
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        BankTopology topology = BankTopology.parse("full", SERVICES);
        for (int i = 0; i < SERVICES; i++) {
            banks.add(new BankProcess(i, topology, KafkaFixture.bootstrapServers(), prefix, root, seed * 17 + i));
        }
        for (BankProcess bank : banks) {
            bank.launch(100);
        }
        for (BankProcess bank : banks) {
            bank.awaitRunning();
        }

        try (SnapshotCollector collector = SnapshotCollector.builder(KafkaFixture.clientProperties())
                .controlTopic(prefix + "control").collectionTopic(prefix + "fragments")
                .timeout(Duration.ofSeconds(30)).build()) {
            GlobalSnapshot s = await().atMost(PATIENCE).until(() -> snapshot(collector),
                    g -> g.status() == GlobalSnapshot.Status.COMPLETE && g.inFlightMessageCount() > 0);
            snapshot(collector);
            for (BankProcess bank : banks) {
                bank.stop();
            }
            for (BankProcess bank : banks) {
                bank.launch(0);
            }
            for (BankProcess bank : banks) {
                bank.awaitRunning();
            }

            BankProcess victim = banks.get((int) Math.floorMod(seed, SERVICES));
            try (Restores.Handle handle = collector.restore(s.snapshot(), false)) {
                victim.kill();
                victim.start(0);
                assertThat(handle.await(PATIENCE)).as("restored by every member, missing %s; %s",
                        handle.missing(), context).isTrue();
            }

            GlobalSnapshot drained = await().atMost(PATIENCE).until(() -> snapshot(collector),
                    g -> g.status() == GlobalSnapshot.Status.COMPLETE && g.inFlightMessageCount() == 0);
            assertThat(BankMoney.balances(drained)).as("balances after restoring %d (%s killed during it): %s; %s",
                    s.snapshot(), victim.id(), s.toJson(true), context).isEqualTo(BankMoney.afterRestore(s));
        }
    }

    private static GlobalSnapshot snapshot(SnapshotCollector collector) {
        long id = collector.trigger(Optional.empty());
        return collector.await(id, PATIENCE).orElseThrow(() -> new AssertionError("snapshot " + id));
    }
}
