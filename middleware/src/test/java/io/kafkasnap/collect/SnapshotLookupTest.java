package io.kafkasnap.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a restore finds its snapshot's fragments on the real broker (DESIGN.md, "Restore"): the writer notes where
 * each member's fragment begins and puts it in the restore record; a node seeks there, checks what it finds, and
 * falls back to the bounded lookup from the trigger's time when the record has no offsets or they are wrong. Never
 * does a wrong offset give a node another snapshot's state.
 *
 * <p>To tell which way a node found the fragments, some tests publish S's fragments with CreateTime timestamps two
 * hours before the trigger (a producer whose clock is behind by more than the lookup's margin): the lookup by time
 * starts after them and cannot find them, so only the offsets can.
 */
class SnapshotLookupTest {

    private static final long HOUR = 3_600_000;
    /** Small enough that a's fragment of S, with its large state, is cut into several chunks. */
    private static final int CHUNK_BYTES = 200;

    private final String control = KafkaFixture.uniqueTopic("lookup-control");
    private final String collection = KafkaFixture.uniqueTopic("lookup-fragments");
    private final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaFixture.clientProperties(),
            new ByteArraySerializer(), new ByteArraySerializer());
    /** Where each fragment of each snapshot begins, as published here: snapshot -> process -> offset. */
    private final Map<Long, Map<String, Long>> published = new HashMap<>();
    /** Where a's second chunk of each snapshot is. */
    private final Map<Long, Long> secondChunkOfA = new HashMap<>();

    @BeforeEach
    void topics() {
        KafkaFixture.createTopics(1, control, collection);
    }

    @AfterEach
    void close() {
        producer.close();
    }

    private long control(ControlRecord record) throws Exception {
        return producer.send(new ProducerRecord<>(control, 0, null, record.toJson())).get().offset();
    }

    private static String stateOf(long snapshot, String process) {
        return process + "@" + snapshot;
    }

    private static Fragment fragment(long snapshot, String process, boolean large) {
        String balance = large ? stateOf(snapshot, process) + " " + "x".repeat(600) : stateOf(snapshot, process);
        return new Fragment(snapshot, process, 1, Map.of("balance",
                ValueCodec.toJson(balance.getBytes(StandardCharsets.UTF_8))), Map.of(), Map.of());
    }

    /**
     * Publishes a's and b's fragments of {@code snapshot}, their chunks interleaved as two producers would leave
     * them, with CreateTime {@code timestamp}.
     */
    private void publish(long snapshot, long timestamp, Random random) throws Exception {
        List<ProducerRecord<byte[], byte[]>> a = Chunks.chunks(collection, fragment(snapshot, "a", true), CHUNK_BYTES);
        List<ProducerRecord<byte[], byte[]>> b = Chunks.chunks(collection, fragment(snapshot, "b", false), CHUNK_BYTES);
        assertThat(a).as("a's fragment is cut into chunks").hasSizeGreaterThan(1);
        int ai = 0;
        int bi = 0;
        while (ai < a.size() || bi < b.size()) {
            boolean takeA = bi == b.size() || (ai < a.size() && random.nextBoolean());
            ProducerRecord<byte[], byte[]> chunk = takeA ? a.get(ai++) : b.get(bi++);
            long offset = producer.send(new ProducerRecord<>(collection, 0, timestamp, chunk.key(), chunk.value(),
                    chunk.headers())).get().offset();
            if (takeA && ai == 2) {
                secondChunkOfA.put(snapshot, offset);
            }
            if ((takeA ? ai : bi) == 1) {
                published.computeIfAbsent(snapshot, s -> new HashMap<>()).put(takeA ? "a" : "b", offset);
            }
        }
    }

    /**
     * a and b join, then {@code before} snapshots, S, and two more, each with both fragments; the fragments of S and
     * of the snapshots before it carry {@code sTimestamp}, the others now. (A lookup by time starts at the first
     * record stamped at or after its start, so the records before S's must be stamped early too for it to miss S's.)
     *
     * @return S
     */
    private long history(int before, long sTimestamp, Random random) throws Exception {
        control(new ControlRecord.Join("a", List.of(), List.of()));
        control(new ControlRecord.Join("b", List.of(), List.of()));
        List<Long> earlier = new ArrayList<>();
        for (int i = 0; i < before; i++) {
            earlier.add(control(ControlRecord.Trigger.anyMember()));
        }
        long s = control(ControlRecord.Trigger.anyMember());
        long later1 = control(ControlRecord.Trigger.anyMember());
        long later2 = control(ControlRecord.Trigger.anyMember());
        for (long e : earlier) {
            publish(e, sTimestamp, random);
        }
        publish(s, sTimestamp, random);
        publish(later1, System.currentTimeMillis(), random);
        publish(later2, System.currentTimeMillis(), random);
        return s;
    }

    private GlobalSnapshot forRestore(long snapshot, ControlRecord.Restore restore) throws Exception {
        long epoch = control(restore);
        return SnapshotLookup.forRestore(KafkaFixture.clientProperties(), control, collection, snapshot, epoch)
                .orElseThrow();
    }

    private static String balance(GlobalSnapshot snapshot, String process) {
        byte[] bytes = ValueCodec.fromJson(snapshot.process(process).orElseThrow().state().get("balance"));
        String text = new String(bytes, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        return space < 0 ? text : text.substring(0, space);
    }

    private static void assertIsS(GlobalSnapshot found, long s, String seed) {
        assertThat(found.status()).as(found.detail() + " " + seed).isEqualTo(GlobalSnapshot.Status.COMPLETE);
        assertThat(balance(found, "a")).as(seed).isEqualTo(stateOf(s, "a"));
        assertThat(balance(found, "b")).as(seed).isEqualTo(stateOf(s, "b"));
    }

    @Test
    void theWriterNotesWhereEachMembersFragmentBegins() throws Exception {
        long seed = new Random().nextLong();
        long s = history(10, System.currentTimeMillis(), new Random(seed));

        SnapshotLookup.Located located = SnapshotLookup.locate(KafkaFixture.clientProperties(), control, collection,
                s, Long.MAX_VALUE, false).orElseThrow();

        assertIsS(located.snapshot(), s, "seed " + seed);
        assertThat(located.firstChunks()).as("seed " + seed).isEqualTo(published.get(s));
    }

    @Test
    void theRestoreRecordTheLibraryWritesCarriesTheOffsets() throws Exception {
        long seed = new Random().nextLong();
        long s = history(3, System.currentTimeMillis(), new Random(seed));

        long epoch;
        try (Restores.Handle handle = Restores.restore(KafkaFixture.clientProperties(), control, collection, s,
                false)) {
            epoch = handle.epoch();
        }

        ControlRecord written = ControlRecord.parse(KafkaFixture.readAll(control).get((int) epoch).value());
        assertThat(written).as("seed " + seed).isEqualTo(new ControlRecord.Restore(s, false, published.get(s)));
    }

    @Test
    void aNodeFindsTheFragmentsAtTheOffsetsWhereTheLookupByTimeCannot() throws Exception {
        long seed = new Random().nextLong();
        long s = history(10, System.currentTimeMillis() - 2 * HOUR, new Random(seed));

        assertIsS(forRestore(s, new ControlRecord.Restore(s, false, published.get(s))), s, "seed " + seed);
        assertThat(forRestore(s, new ControlRecord.Restore(s)).status())
                .as("without offsets, the lookup by time misses fragments stamped before its margin; seed " + seed)
                .isEqualTo(GlobalSnapshot.Status.TIMED_OUT);
    }

    @Test
    void aRestoreRecordWithoutOffsetsStillFindsItsSnapshot() throws Exception {
        long seed = new Random().nextLong();
        long s = history(10, System.currentTimeMillis(), new Random(seed));

        assertIsS(forRestore(s, new ControlRecord.Restore(s)), s, "seed " + seed);
    }

    @Test
    void offsetsOfAnotherSnapshotsFragmentOrOfALaterChunkAreRefusedAndTheLookupFallsBack() throws Exception {
        long seed = new Random().nextLong();
        long s = history(4, System.currentTimeMillis(), new Random(seed));
        Map<String, Long> otherSnapshot = Map.of("a", published.get(s + 1).get("a"), "b", published.get(s).get("b"));
        Map<String, Long> laterChunk = Map.of("a", secondChunkOfA.get(s), "b", published.get(s).get("b"));
        Map<String, Long> oneMissing = Map.of("b", published.get(s).get("b"));

        for (Map<String, Long> wrong : List.of(otherSnapshot, laterChunk, oneMissing)) {
            assertIsS(forRestore(s, new ControlRecord.Restore(s, false, wrong)), s, wrong + ", seed " + seed);
        }
    }

    @Test
    void wrongOffsetsNeverGiveAnotherSnapshotsStateEvenWhenTheFallbackFindsNothing() throws Exception {
        long seed = new Random().nextLong();
        long s = history(4, System.currentTimeMillis() - 2 * HOUR, new Random(seed));
        // a's fragment of the next snapshot is intact and has the right process; only its key's snapshot differs.
        Map<String, Long> otherSnapshot = Map.of("a", published.get(s + 1).get("a"), "b", published.get(s).get("b"));

        GlobalSnapshot found = forRestore(s, new ControlRecord.Restore(s, false, otherSnapshot));

        assertThat(found.status()).as("seed " + seed).isEqualTo(GlobalSnapshot.Status.TIMED_OUT);
        assertThat(found.process("a")).as("no state of a from snapshot " + (s + 1) + "; seed " + seed).isEmpty();
    }

    @Test
    void offsetsOfDeletedFragmentsFallBackAndTheSnapshotIsPruned() throws Exception {
        long seed = new Random().nextLong();
        long s = history(4, System.currentTimeMillis(), new Random(seed));
        long afterS = published.get(s + 1).values().stream().mapToLong(Long::longValue).min().orElseThrow();
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.deleteRecords(Map.of(new TopicPartition(collection, 0), RecordsToDelete.beforeOffset(afterS)))
                    .all().get();
        }

        GlobalSnapshot found = forRestore(s, new ControlRecord.Restore(s, false, published.get(s)));

        assertThat(found.status()).as(found.detail() + "; seed " + seed).isEqualTo(GlobalSnapshot.Status.PRUNED);
    }
}
