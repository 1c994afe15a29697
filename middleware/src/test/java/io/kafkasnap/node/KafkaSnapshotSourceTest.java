package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.SnapshotLookup;
import io.kafkasnap.engine.RestoreTarget;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A node's restore lookup on the real broker reads the collection topic only: what the control topic says of the
 * snapshot comes from the node's own history (read by its engine before it decided the restore), so the lookup finds
 * the snapshot even when every control record up to and including the restore's has been deleted since.
 */
class KafkaSnapshotSourceTest {

    private final String control = KafkaFixture.uniqueTopic("source-control");
    private final String collection = KafkaFixture.uniqueTopic("source-fragments");

    private static Fragment fragment(long snapshot, String process) {
        byte[] balance = (process + "@" + snapshot).getBytes(StandardCharsets.UTF_8);
        return new Fragment(snapshot, process, 1, Map.of("balance", ValueCodec.toJson(balance)), Map.of(), Map.of());
    }

    @Test
    void aNodeLoadsTheRestoresSnapshotWithoutReadingTheControlTopic() throws Exception {
        KafkaFixture.createTopics(1, control, collection);
        long snapshot;
        long epoch;
        Map<String, Long> firstChunks = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String process : List.of("a", "b")) {
                producer.send(new ProducerRecord<>(control, 0, null,
                        new ControlRecord.Join(process, List.of(), List.of()).toJson())).get();
            }
            snapshot = producer.send(new ProducerRecord<>(control, 0, null,
                    ControlRecord.Trigger.anyMember().toJson())).get().offset();
            for (String process : List.of("a", "b")) {
                for (ProducerRecord<byte[], byte[]> chunk : Chunks.chunks(collection, fragment(snapshot, process),
                        1 << 20)) {
                    long offset = producer.send(chunk).get().offset();
                    firstChunks.putIfAbsent(process, offset);
                }
            }
            epoch = producer.send(new ProducerRecord<>(control, 0, null,
                    new ControlRecord.Restore(snapshot, false, firstChunks).toJson())).get().offset();
        }
        // What the node's engine has read of the control topic when it decides the restore.
        ControlHistory history = new ControlHistory();
        for (ConsumerRecord<byte[], byte[]> record : KafkaFixture.readAll(control)) {
            history.accept(record.offset(), record.timestamp(), ControlRecord.parse(record.value()));
        }
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.deleteRecords(Map.of(new TopicPartition(control, 0), RecordsToDelete.beforeOffset(epoch + 1)))
                    .all().get();
        }
        assertThat(SnapshotLookup.forRestore(KafkaFixture.clientProperties(), control, collection, snapshot, epoch))
                .as("a lookup that reads the control topic finds no trigger there any more").isEmpty();

        CompletableFuture<RestoreTarget> loaded = new CompletableFuture<>();
        Map<String, Object> kafka = new HashMap<>();
        KafkaFixture.clientProperties().forEach((key, value) -> kafka.put((String) key, value));
        try (KafkaSnapshotSource source = new KafkaSnapshotSource("a", Set.of(), kafka, collection,
                new KafkaSnapshotSource.Outcome() {
                    @Override
                    public void loaded(long at, RestoreTarget target) {
                        loaded.complete(target);
                    }

                    @Override
                    public void failed(long at, Throwable cause) {
                        loaded.completeExceptionally(cause);
                    }
                })) {
            source.load(history.restoreControl(epoch).orElseThrow());
            RestoreTarget target = loaded.get(60, TimeUnit.SECONDS);

            assertThat(target.refusal()).isEmpty();
            assertThat(target.missing()).isEmpty();
            assertThat(target.members()).containsExactlyInAnyOrder("a", "b");
            assertThat(new String(target.state().get("balance"), StandardCharsets.UTF_8)).isEqualTo("a@" + snapshot);
        }
    }
}
