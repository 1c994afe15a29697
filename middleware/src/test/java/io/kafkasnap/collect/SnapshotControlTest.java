package io.kafkasnap.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.kafka.TopicScan;
import io.kafkasnap.testing.KafkaFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A node hands its restore lookup what its own history says of the snapshot instead of the lookup reading the control
 * topic again; on the real broker, that answer is the one the control topic read from offset 0 up to the restore
 * gives, for every restore of seeded random control topics (joins, leaves, triggers, aborts, restores of triggers and
 * of other offsets), with the history read past the restore, as a running node's is.
 */
class SnapshotControlTest {

    private static final List<String> PROCESSES = List.of("a", "b", "c", "d");

    private static ControlRecord randomRecord(Random random, long next, List<Long> triggers) {
        String process = PROCESSES.get(random.nextInt(PROCESSES.size()));
        int kind = random.nextInt(10);
        if (kind < 3) {
            List<String> out = PROCESSES.stream().filter(p -> !p.equals(process) && random.nextBoolean())
                    .map(p -> process + "-to-" + p).toList();
            return new ControlRecord.Join(process, List.of(), out);
        } else if (kind < 4) {
            return new ControlRecord.Leave(process);
        } else if (kind < 7) {
            return random.nextBoolean() ? ControlRecord.Trigger.anyMember()
                    : new ControlRecord.Trigger(Optional.of(process));
        } else if (kind < 8 && next > 0) {
            long snapshot = triggers.isEmpty() || random.nextInt(4) == 0 ? random.nextLong(next)
                    : triggers.get(random.nextInt(triggers.size()));
            return new ControlRecord.Abort(snapshot, process, "timed-out", "random");
        }
        long snapshot = triggers.isEmpty() || random.nextInt(4) == 0 ? random.nextLong(next + 1)
                : triggers.get(random.nextInt(triggers.size()));
        return new ControlRecord.Restore(snapshot, random.nextBoolean(), random.nextBoolean()
                ? Map.of(process, random.nextLong(1_000)) : Map.of());
    }

    @Test
    void theNodesHistoryGivesEachRestoreWhatReadingTheControlTopicUpToItGives() throws Exception {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String control = KafkaFixture.uniqueTopic("restore-control");
        KafkaFixture.createTopics(1, control);
        List<Long> triggers = new ArrayList<>();
        List<Long> restores = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long next = 0; next < 150; next++) {
                ControlRecord record = randomRecord(random, next, triggers);
                long offset = producer.send(new ProducerRecord<>(control, 0, null, record.toJson())).get().offset();
                if (record instanceof ControlRecord.Trigger) {
                    triggers.add(offset);
                } else if (record instanceof ControlRecord.Restore) {
                    restores.add(offset);
                }
            }
        }
        ControlHistory history = new ControlHistory();
        for (ConsumerRecord<byte[], byte[]> record : KafkaFixture.readAll(control)) {
            history.accept(record.offset(), record.timestamp(), ControlRecord.parse(record.value()));
        }
        assertThat(restores).as("seed " + seed).isNotEmpty();

        int found = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.boundedConsumer(KafkaFixture.clientProperties())) {
            for (long epoch : restores) {
                long snapshot = history.restoreAt(epoch).orElseThrow().snapshot();
                Optional<SnapshotControl.Found> read = SnapshotControl.read(consumer, control, snapshot, epoch, true,
                        Duration.ofSeconds(60));
                Optional<SnapshotControl.Found> handed = history.restoreControl(epoch).map(SnapshotControl::of);
                assertThat(handed).as("restore at %d to %d, seed %d", epoch, snapshot, seed).isEqualTo(read);
                found += read.isPresent() ? 1 : 0;
            }
        }
        assertThat(found).as("some restores are of a trigger, seed " + seed).isPositive();
    }
}
