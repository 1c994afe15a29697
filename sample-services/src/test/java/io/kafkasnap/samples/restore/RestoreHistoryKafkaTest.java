package io.kafkasnap.samples.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.RestoreHistory;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RestoreHistory} over a bank of three branches on the real broker: what it reads of restores the bank
 * applied, and of one a member never finishes.
 */
class RestoreHistoryKafkaTest {

    private static final int SERVICES = 3;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path stateRoot;

    private final long seed = BankRestoreTest.seed();
    private final String prefix = KafkaFixture.uniqueTopic("history") + ".";
    private final String control = prefix + "control";
    private final Map<String, Object> kafka = Kafka.clientProperties(KafkaFixture.bootstrapServers());
    private final String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
    private BankCluster bank;
    private SnapshotCollector collector;

    @BeforeEach
    void startBank() {
        bank = BankCluster.start(new BankCluster.Config(kafka, BankTopology.parse("full", SERVICES), prefix, control,
                prefix + "fragments", stateRoot, 1000, 50, seed));
        collector = SnapshotCollector.builder(props()).controlTopic(control).collectionTopic(prefix + "fragments")
                .timeout(Duration.ofSeconds(60)).build();
    }

    @AfterEach
    void tearDown() {
        if (bank != null) {
            bank.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    private Properties props() {
        Properties props = new Properties();
        props.putAll(kafka);
        return props;
    }

    private GlobalSnapshot complete() {
        return await().atMost(PATIENCE).until(() -> {
            long id = collector.trigger(Optional.empty());
            return collector.await(id, PATIENCE).orElseThrow(() -> new AssertionError("snapshot " + id
                    + " not assembled; " + context));
        }, s -> s.status() == GlobalSnapshot.Status.COMPLETE);
    }

    @Test
    void readGivesEachRestoresEpochSnapshotAndEveryMemberRestoredInControlTopicOrder() {
        GlobalSnapshot first = complete();
        GlobalSnapshot second = complete();
        assertThat(RestoreHistory.read(props(), control, PATIENCE).restores()).as("before any restore; %s", context)
                .isEmpty();

        List<Long> epochs = new ArrayList<>();
        for (GlobalSnapshot target : List.of(second, first)) {
            try (Restores.Handle handle = collector.restore(target.snapshot(), false)) {
                assertThat(handle.await(PATIENCE)).as("restore of %d, missing %s; %s", target.snapshot(),
                        handle.missing(), context).isTrue();
                epochs.add(handle.epoch());
            }
        }

        RestoreHistory history = RestoreHistory.read(props(), control, PATIENCE);
        List<String> members = List.of("bank-0", "bank-1", "bank-2");
        assertThat(history.restores()).as("restores read back; %s", context).hasSize(2);
        assertThat(history.restores()).extracting(RestoreHistory.Restore::epoch).containsExactlyElementsOf(epochs);
        assertThat(history.restores()).extracting(RestoreHistory.Restore::snapshot)
                .containsExactly(second.snapshot(), first.snapshot());
        assertThat(history.restores()).allSatisfy(r -> {
            assertThat(r.expected()).as("expected members of restore %d; %s", r.epoch(), context)
                    .containsExactlyElementsOf(members);
            assertThat(r.restoredMembers()).containsExactlyElementsOf(members);
            assertThat(r.isDone()).isTrue();
            assertThat(r.state()).isEqualTo("done");
            assertThat(r.supersededBy()).as("done before the next was written").isEmpty();
            assertThat(r.duration()).isPresent();
            assertThat(r.writtenAt()).as("the restore record's timestamp").isEqualTo(KafkaFixture.readAll(control)
                    .stream().filter(c -> c.offset() == r.epoch()).findFirst().orElseThrow().timestamp());
        });
        assertThat(history.restoresTo(first.snapshot())).extracting(RestoreHistory.Restore::epoch)
                .containsExactly(epochs.get(1));
        assertThat(history.latest().orElseThrow().epoch()).isEqualTo(epochs.get(1));
    }

    @Test
    void aFollowerSeesARestoreWrittenThenItsMembersRestoreAndNamesTheOneThatNeverDoes() throws Exception {
        GlobalSnapshot target = complete();
        // A process that joins and never runs: a member that is down. Only a restore allowing new members takes it.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(control, 0, null,
                    new ControlRecord.Join("ghost", List.of(), List.of()).toJson())).get();
        }
        try (RestoreHistory.Follower follower = RestoreHistory.follow(props(), control)) {
            follower.catchUp(PATIENCE);
            assertThat(follower.history().restores()).isEmpty();

            long epoch;
            try (Restores.Handle handle = collector.restore(target.snapshot(), true)) {
                epoch = handle.epoch();
            }
            List<RestoreHistory.Restore> seen = new ArrayList<>();
            await().atMost(PATIENCE).untilAsserted(() -> {
                seen.addAll(follower.poll(Duration.ofMillis(200)));
                assertThat(follower.history().restore(epoch)).as("restore %d; %s", epoch, context)
                        .hasValueSatisfying(r -> assertThat(r.restoredMembers()).hasSize(SERVICES));
            });

            RestoreHistory.Restore restore = follower.history().restore(epoch).orElseThrow();
            assertThat(seen).as("every change reported is of this restore; %s", context)
                    .allSatisfy(r -> assertThat(r.epoch()).isEqualTo(epoch));
            assertThat(restore.allowNewMembers()).isTrue();
            assertThat(restore.expected()).containsExactly("bank-0", "bank-1", "bank-2", "ghost");
            assertThat(restore.missing()).containsExactly("ghost");
            assertThat(restore.isDone()).isFalse();
            assertThat(restore.state()).isEqualTo("in-progress");
            assertThat(restore.duration()).isEmpty();
        }
    }
}
