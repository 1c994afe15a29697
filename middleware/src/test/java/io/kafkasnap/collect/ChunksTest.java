package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.collect.ChunkReassembler.Assembled;
import io.kafkasnap.collect.ChunkReassembler.Outcome;
import io.kafkasnap.collect.ChunkReassembler.Unusable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

public class ChunksTest {

    private static final String TOPIC = "kafkasnap.fragments";

    /** A fragment whose JSON is about {@code bytes} long, with state values that vary with {@code seed}. */
    public static Fragment fragmentOfSize(long snapshot, String process, int bytes, long seed) {
        Map<String, JsonNode> state = new TreeMap<>();
        java.util.Random random = new java.util.Random(seed);
        int size = 0;
        int i = 0;
        while (size < bytes) {
            String value = "{\"n\":" + random.nextInt() + ",\"s\":\"" + "é€𝄞x".repeat(1 + random.nextInt(8)) + "\"}";
            String key = "key-" + i++;
            state.put(key, Samples.json(value));
            size += key.length() + value.length() + 4;
        }
        return new Fragment(snapshot, process, 1_700_000_000_000L + seed, state, Map.of(), Map.of());
    }

    private static List<Outcome> feed(ChunkReassembler reassembler, List<ConsumerRecord<byte[], byte[]>> records) {
        List<Outcome> outcomes = new ArrayList<>();
        records.forEach(r -> outcomes.addAll(reassembler.accept(r)));
        return outcomes;
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aSmallFragmentIsOneRecordZeroOfOne() {
        Fragment fragment = Samples.designExample();
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragment, 1_000_000);
        assertThat(records).hasSize(1);
        ProducerRecord<byte[], byte[]> record = records.get(0);
        assertThat(record.topic()).isEqualTo(TOPIC);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("42/bank-0");
        assertThat(record.value()).isEqualTo(fragment.toJson());
        assertThat(header(record, "kafkasnap-chunk")).isEqualTo("0/1");
        CRC32 crc = new CRC32();
        crc.update(fragment.toJson());
        assertThat(header(record, "kafkasnap-crc32")).isEqualTo(Long.toString(crc.getValue()));
    }

    @Test
    void aSeveralMegabyteFragmentIsSplitAndReassembled() {
        Fragment fragment = fragmentOfSize(9, "big", 5 * 1024 * 1024, 1);
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragment, 256 * 1024);
        int n = records.size();
        assertThat(n).isGreaterThanOrEqualTo(20);
        for (int i = 0; i < n; i++) {
            assertThat(header(records.get(i), "kafkasnap-chunk")).isEqualTo(i + "/" + n);
            assertThat(records.get(i).value().length).isLessThanOrEqualTo(256 * 1024);
        }
        ChunkReassembler reassembler = new ChunkReassembler();
        List<ConsumerRecord<byte[], byte[]>> consumed = Samples.consumed(records, 100, 5);
        for (int i = 0; i < n - 1; i++) {
            assertThat(reassembler.accept(consumed.get(i))).isEmpty();
        }
        List<Outcome> last = reassembler.accept(consumed.get(n - 1));
        assertThat(last).singleElement().isInstanceOfSatisfying(Assembled.class, a -> {
            assertThat(a.fragment()).isEqualTo(fragment);
            assertThat(a.offset()).isEqualTo(100 + n - 1);
            assertThat(a.key()).isEqualTo("9/big");
        });
        assertThat(reassembler.pendingCount()).isZero();
    }

    @Test
    void aCorruptedSliceMakesTheFragmentUnusableOnceAndTheRestIsSkipped() {
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragmentOfSize(3, "p", 10_000, 2), 1000);
        List<ConsumerRecord<byte[], byte[]>> consumed = Samples.consumed(records, 0, 5);
        consumed.get(4).value()[17] ^= 0x20;
        List<Outcome> outcomes = feed(new ChunkReassembler(), consumed);
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(Unusable.class, u -> {
            assertThat(u.key()).isEqualTo("3/p");
            assertThat(u.offset()).isEqualTo(4);
            assertThat(u.reason()).startsWith("CRC32 mismatch in chunk 4/" + records.size());
            assertThat(u.fragmentKey()).contains(new FragmentKey(3, "p"));
        });
    }

    @Test
    void aMissingSliceMakesTheFragmentUnusable() {
        List<ConsumerRecord<byte[], byte[]>> consumed = Samples.consumed(
                Chunks.chunks(TOPIC, fragmentOfSize(3, "p", 10_000, 3), 1000), 0, 5);
        int n = consumed.size();
        consumed.remove(2);
        List<Outcome> outcomes = feed(new ChunkReassembler(), consumed);
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(Unusable.class, u -> assertThat(u.reason())
                .isEqualTo("chunk 3/" + n + " arrived where 2/" + n + " was expected: missing chunk(s) 2..2"));
    }

    @Test
    void aRestartedSequenceReportsTheUnfinishedOneAndCanStillComplete() {
        Fragment fragment = fragmentOfSize(3, "p", 5_000, 4);
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragment, 1000);
        List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>(records.subList(0, 2));
        sent.addAll(records);
        List<Outcome> outcomes = feed(new ChunkReassembler(), Samples.consumed(sent, 0, 5));
        assertThat(outcomes).hasSize(2);
        assertThat(outcomes.get(0)).isInstanceOfSatisfying(Unusable.class, u -> assertThat(u.reason())
                .startsWith("a new chunk sequence 0/" + records.size() + " started before the previous one finished"));
        assertThat(outcomes.get(1)).isInstanceOfSatisfying(Assembled.class, a -> assertThat(a.fragment()).isEqualTo(fragment));
    }

    @Test
    void aChangedChunkCountOrAnOrphanChunkIsAMissingChunk() {
        Fragment fragment = fragmentOfSize(3, "p", 2_500, 5);
        int length = fragment.toJson().length;
        List<ProducerRecord<byte[], byte[]>> three = Chunks.chunks(TOPIC, fragment, (length + 2) / 3);
        List<ProducerRecord<byte[], byte[]>> four = Chunks.chunks(TOPIC, fragment, (length + 3) / 4);
        assertThat(three).hasSize(3);
        assertThat(four).hasSize(4);
        List<Outcome> changed = feed(new ChunkReassembler(), Samples.consumed(List.of(three.get(0), four.get(1)), 0, 5));
        assertThat(changed).singleElement().isInstanceOfSatisfying(Unusable.class,
                u -> assertThat(u.reason()).isEqualTo("chunk count changed from 3 to 4 at chunk 1/4"));

        List<Outcome> orphan = feed(new ChunkReassembler(), Samples.consumed(three.subList(1, 3), 0, 5));
        assertThat(orphan).singleElement().isInstanceOfSatisfying(Unusable.class,
                u -> assertThat(u.reason()).isEqualTo("chunk 1/3 without the chunks before it: missing chunk(s) 0..0"));
    }

    @Test
    void recordsWithoutHeadersOrKeysOrWithGarbageAreUnusable() {
        ProducerRecord<byte[], byte[]> good = Chunks.chunks(TOPIC, Samples.designExample(), 100_000).get(0);
        ProducerRecord<byte[], byte[]> noHeaders = new ProducerRecord<>(TOPIC, good.key(), good.value());
        ProducerRecord<byte[], byte[]> noKey = new ProducerRecord<>(TOPIC, (Integer) null, (byte[]) null, good.value(), good.headers());
        ProducerRecord<byte[], byte[]> badKey = new ProducerRecord<>(TOPIC, null, "nope".getBytes(StandardCharsets.UTF_8),
                good.value(), good.headers());
        Fragment other = new Fragment(43, "bank-0", 1, Map.of(), Map.of(), Map.of());
        ProducerRecord<byte[], byte[]> wrongKey = Chunks.chunks(TOPIC, other, 1000).get(0);
        wrongKey = new ProducerRecord<>(TOPIC, null, good.key(), wrongKey.value(), wrongKey.headers());
        byte[] garbage = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> notAFragment = new ProducerRecord<>(TOPIC, null, good.key(), garbage,
                Chunks.chunks(TOPIC, Samples.designExample(), 100_000).get(0).headers());
        notAFragment.headers().remove("kafkasnap-crc32");
        CRC32 crc = new CRC32();
        crc.update(garbage);
        notAFragment.headers().add("kafkasnap-crc32", Long.toString(crc.getValue()).getBytes(StandardCharsets.UTF_8));

        List<Outcome> outcomes = feed(new ChunkReassembler(),
                Samples.consumed(List.of(noHeaders, noKey, badKey, wrongKey, notAFragment), 10, 5));
        assertThat(outcomes).extracting(o -> ((Unusable) o).reason()).containsExactly(
                "record without the kafkasnap-chunk header",
                "record without a key (expected <snapshot>/<process>)",
                "key is not <snapshot>/<process>",
                "record key is 42/bank-0 but the fragment inside is 43/bank-0",
                "chunks do not form a fragment: fragment: missing \"snapshot\"");
        assertThat(outcomes).extracting(Outcome::offset).containsExactly(10L, 11L, 12L, 13L, 14L);
    }

    @Test
    void interleavedKeysAreReassembledIndependently() {
        Fragment a = fragmentOfSize(5, "a", 3_000, 6);
        Fragment b = fragmentOfSize(5, "b", 3_000, 7);
        List<ProducerRecord<byte[], byte[]>> ra = Chunks.chunks(TOPIC, a, 700);
        List<ProducerRecord<byte[], byte[]>> rb = Chunks.chunks(TOPIC, b, 700);
        List<ProducerRecord<byte[], byte[]>> mixed = new ArrayList<>();
        for (int i = 0; i < Math.max(ra.size(), rb.size()); i++) {
            if (i < ra.size()) {
                mixed.add(ra.get(i));
            }
            if (i < rb.size()) {
                mixed.add(rb.get(i));
            }
        }
        List<Outcome> outcomes = feed(new ChunkReassembler(), Samples.consumed(mixed, 0, 5));
        assertThat(outcomes).extracting(o -> ((Assembled) o).fragment()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void abandoningAnUnfinishedFragmentSaysWhatArrived() {
        ChunkReassembler reassembler = new ChunkReassembler();
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragmentOfSize(3, "p", 3_000, 8), 1000);
        feed(reassembler, Samples.consumed(records.subList(0, 2), 40, 5));
        assertThat(reassembler.pendingCount()).isEqualTo(1);
        assertThat(reassembler.abandon("3/p")).contains(
                "received chunks 0..1 of " + records.size() + " (offsets 40..41), the rest never arrived");
        assertThat(reassembler.pendingCount()).isZero();
        assertThat(reassembler.abandon("3/p")).isEmpty();
    }

    @Property(tries = 60)
    void splitThenReassembleIsIdentity(@ForAll @IntRange(min = 0, max = 200_000) int size,
                                       @ForAll @IntRange(min = 1, max = 70_000) int maxChunkBytes,
                                       @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long snapshot,
                                       @ForAll long contentSeed) {
        Fragment fragment = fragmentOfSize(snapshot, "p-" + (contentSeed & 0xff), size, contentSeed);
        // Very small limits make tens of thousands of records; cap the count to keep the property fast.
        int limit = Math.max(maxChunkBytes, fragment.toJson().length / 2_000 + 1);
        List<ProducerRecord<byte[], byte[]>> records = Chunks.chunks(TOPIC, fragment, limit);
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isBetween(1, limit));
        List<Outcome> outcomes = feed(new ChunkReassembler(), Samples.consumed(records, 0, 5));
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(Assembled.class,
                a -> assertThat(a.fragment()).isEqualTo(fragment));
    }
}
