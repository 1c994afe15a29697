package io.kafkasnap.samples.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.Retention;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankMoney;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of the bank on the real broker: after restoring snapshot S, every branch holds S's balance plus what S
 * recorded in flight towards it, the channels drain, and later snapshots are complete and conserve money.
 */
class BankRestoreTest {

    private static final int SERVICES = 4;
    private static final long TOTAL = 1000L * SERVICES;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path stateRoot;

    private final long seed = seed();
    private final String prefix = KafkaFixture.uniqueTopic("restore") + ".";
    private final Map<String, Object> kafka = Kafka.clientProperties(KafkaFixture.bootstrapServers());
    private final String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
    private BankCluster bank;
    private SnapshotCollector collector;

    @AfterEach
    void tearDown() {
        if (bank != null) {
            bank.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    private BankCluster start(double rate) {
        bank = BankCluster.start(new BankCluster.Config(kafka, BankTopology.parse("full", SERVICES), prefix,
                prefix + "control", prefix + "fragments", stateRoot, 1000, rate, seed));
        if (collector == null) {
            Properties props = new Properties();
            props.putAll(kafka);
            collector = SnapshotCollector.builder(props).controlTopic(prefix + "control")
                    .collectionTopic(prefix + "fragments").timeout(Duration.ofSeconds(60)).build();
        }
        return bank;
    }

    private GlobalSnapshot snapshot() {
        long id = collector.trigger(Optional.empty());
        GlobalSnapshot snapshot = collector.await(id, PATIENCE).orElseThrow(() -> new AssertionError(
                "snapshot " + id + " not assembled; " + context));
        return snapshot;
    }

    /** A complete snapshot that caught transfers in flight, so the restore has recorded messages to hand back. */
    private GlobalSnapshot completeWithTransfersInFlight() {
        return await().atMost(PATIENCE).until(this::snapshot,
                s -> s.status() == GlobalSnapshot.Status.COMPLETE && s.inFlightMessageCount() > 0);
    }

    private static Map<String, Long> expectedAfterRestore(GlobalSnapshot s) {
        return BankMoney.afterRestore(s);
    }

    private static Map<String, Long> balances(GlobalSnapshot s) {
        return BankMoney.balances(s);
    }

    private GlobalSnapshot drained() {
        return await().atMost(PATIENCE).until(this::snapshot,
                s -> s.status() == GlobalSnapshot.Status.COMPLETE && s.inFlightMessageCount() == 0);
    }

    private void restoreAndWait(long id) {
        try (Restores.Handle handle = collector.restore(id, false)) {
            assertThat(handle.await(PATIENCE)).as("every member restored %d, missing %s; %s", id, handle.missing(),
                    context).isTrue();
        }
    }

    @Test
    void afterStopAndRestoreEveryBranchHoldsTheSnapshotsBalancePlusWhatWasInFlightTowardsIt() {
        start(150);
        GlobalSnapshot s = completeWithTransfersInFlight();
        snapshot(); // the bank moves on
        bank.close();
        start(0);

        restoreAndWait(s.snapshot());

        GlobalSnapshot after = drained();
        assertThat(balances(after)).as("balances after restoring %d: %s; %s", s.snapshot(), s.toJson(true), context)
                .isEqualTo(expectedAfterRestore(s));
        assertThat(balances(after).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(TOTAL);
    }

    @Test
    void aBranchWhoseStateDirectoryWasLostRebuildsItsPartFromTheCollectionTopic() throws Exception {
        start(150);
        GlobalSnapshot s = completeWithTransfersInFlight();
        bank.close();
        deleteTree(stateRoot.resolve(BankTopology.processId(2)));
        start(0);

        restoreAndWait(s.snapshot());

        assertThat(balances(drained())).as("balances after restoring %d; %s", s.snapshot(), context)
                .isEqualTo(expectedAfterRestore(s));
    }

    @Test
    void aRestoreUnderLoadKeepsEveryLaterSnapshotConsistentAndConservingMoney() {
        start(150);
        GlobalSnapshot s = completeWithTransfersInFlight();
        snapshot();

        restoreAndWait(s.snapshot());

        for (int i = 0; i < 5; i++) {
            GlobalSnapshot later = snapshot();
            assertThat(later.status()).as("snapshot %d after the restore: %s; %s", later.snapshot(), later.detail(),
                    context).isEqualTo(GlobalSnapshot.Status.COMPLETE);
            long total = BankMoney.total(later);
            assertThat(total).as("money in snapshot %d after the restore; %s", later.snapshot(), context)
                    .isEqualTo(TOTAL);
        }
    }

    @Test
    void aSecondRestoreToAnOlderSnapshotWins() {
        start(150);
        GlobalSnapshot older = completeWithTransfersInFlight();
        GlobalSnapshot newer = completeWithTransfersInFlight();
        bank.close();
        start(0);

        restoreAndWait(newer.snapshot());
        restoreAndWait(older.snapshot());

        assertThat(balances(drained())).as("balances after restoring %d then %d; %s", newer.snapshot(),
                older.snapshot(), context).isEqualTo(expectedAfterRestore(older));
    }

    @Test
    void aRestoreToAnUnknownOrFailedSnapshotIsRefusedWithTheReasonAndNothingIsWritten() throws Exception {
        start(50);
        GlobalSnapshot complete = snapshot();
        long notATrigger = complete.snapshot() - 1;
        // Nobody records a snapshot whose initiator is not a member: it fails, every time.
        long failed = collector.trigger(Optional.of("nobody"));
        assertThat(collector.await(failed, PATIENCE).orElseThrow().status()).isEqualTo(GlobalSnapshot.Status.FAILED);
        long end = controlEnd();

        assertThatThrownBy(() -> collector.restore(999_999, false)).isInstanceOf(Restores.RefusedException.class)
                .hasMessageContaining("unknown");
        assertThatThrownBy(() -> collector.restore(notATrigger, false)).hasMessageContaining("not a trigger");
        assertThatThrownBy(() -> collector.restore(failed, false)).hasMessageContaining("failed")
                .hasMessageContaining("initiator-not-a-member");
        assertThat(controlEnd()).as("nothing written to the control topic").isEqualTo(end);
    }

    @Test
    void aRestoreWrittenByHandForAFailedSnapshotIsIgnoredByEveryNode() throws Exception {
        start(50);
        long failed = collector.trigger(Optional.of("nobody"));
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(kafka, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(prefix + "control", 0, null,
                    ("{\"v\":1,\"type\":\"restore\",\"snapshot\":" + failed + "}").getBytes())).get();
        }
        // Nodes read the control topic in order: once a later snapshot completes, each has passed the restore.
        GlobalSnapshot later = snapshot();
        assertThat(later.status()).isEqualTo(GlobalSnapshot.Status.COMPLETE);
        assertThat(Restores.currentMembers(props(), prefix + "control")).hasSize(SERVICES);
        assertThat(restoredRecords()).as("no node restored; %s", context).isZero();
    }

    @Test
    void pruneKeepsTheNewestCompleteSnapshotsAndTheOneTheLatestRestoreNeeds() {
        start(50);
        GlobalSnapshot first = snapshot();
        GlobalSnapshot target = snapshot();
        restoreAndWait(target.snapshot());
        snapshot();
        GlobalSnapshot newest = snapshot();

        Retention.Pruned pruned = Retention.prune(props(), prefix + "control", prefix + "fragments", 1, false);

        assertThat(pruned.kept()).containsExactly(newest.snapshot());
        assertThat(pruned.protectedByRestores()).containsExactly(target.snapshot());
        assertThat(pruned.deleted()).contains(first.snapshot()).doesNotContain(target.snapshot(), newest.snapshot());
        assertThat(collector.lookup(first.snapshot()).orElseThrow().status()).as("its fragments are gone")
                .isNotEqualTo(GlobalSnapshot.Status.COMPLETE);
        assertThat(collector.lookup(target.snapshot()).orElseThrow().status()).as("still a restore point; %s", context)
                .isEqualTo(GlobalSnapshot.Status.COMPLETE);
    }

    @Test
    void aProcessThatJoinedAfterTheSnapshotMakesTheRestoreRefuseUnlessNewMembersAreAllowedThenStartsFromScratch()
            throws Exception {
        start(50);
        GlobalSnapshot s = snapshot();
        java.util.concurrent.atomic.AtomicLong ticksSeen = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean ticking = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (io.kafkasnap.node.SnapshotNode newcomer = io.kafkasnap.node.SnapshotNode.builder().processId("newcomer")
                .kafkaProperties(kafka).controlTopic(prefix + "control").collectionTopic(prefix + "fragments")
                .stateDir(stateRoot.resolve("newcomer"))
                .onStart(ctx -> {
                    if (ctx.state().get("ticks") == null) {
                        ctx.state().putLong("ticks", 0);
                    }
                })
                .timer(Duration.ofMillis(10), ctx -> {
                    if (ticking.get()) {
                        ctx.state().putLong("ticks", ctx.state().getLong("ticks", 0) + 1);
                        ticksSeen.set(ctx.state().getLong("ticks", 0));
                    }
                })
                .build().start()) {
            await().atMost(PATIENCE).until(() -> ticksSeen.get() >= 100);
            ticking.set(false);

            assertThatThrownBy(() -> collector.restore(s.snapshot(), false))
                    .isInstanceOf(Restores.RefusedException.class).hasMessageContaining("newcomer");
            try (Restores.Handle handle = collector.restore(s.snapshot(), true)) {
                assertThat(handle.expected()).contains("newcomer");
                assertThat(handle.await(PATIENCE)).as("missing %s; %s", handle.missing(), context).isTrue();
            }
            // It started over from its initial state.
            GlobalSnapshot after = snapshot();
            assertThat(after.process("newcomer").orElseThrow().state().get("ticks").asLong())
                    .as("the newcomer's ticks after the restore (it had counted %d); %s", ticksSeen.get(), context)
                    .isZero();
        }
    }

    private Properties props() {
        Properties props = new Properties();
        props.putAll(kafka);
        return props;
    }

    private long controlEnd() {
        return KafkaFixture.endOffset(prefix + "control");
    }

    private long restoredRecords() {
        return KafkaFixture.readAll(prefix + "control").stream().filter(r -> {
            try {
                return ControlRecord.parse(r.value()) instanceof ControlRecord.Restored;
            } catch (Exception e) {
                return false;
            }
        }).count();
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(dir).doesNotExist();
    }

    static long seed() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        return fixed != null ? fixed : System.nanoTime() % 1_000_000;
    }
}
