package io.kafkasnap.format;

import io.kafkasnap.collect.ChunksTest;
import io.kafkasnap.collect.Samples;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentStream;
import io.kafkasnap.format.ValueCodec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A node writes its fragment from a stream of state entries and cuts it into chunks on the fly, never holding the
 * whole: the bytes and the chunks must be exactly those of the fragment built in memory.
 */
class FragmentStreamTest {

    private static final String TOPIC = "kafkasnap.fragments";

    @Test
    void theDesignExampleIsWrittenByteForByteAsInMemory() throws IOException {
        Fragment fragment = Samples.designExample();

        assertThat(new String(streamed(fragment), StandardCharsets.UTF_8))
                .isEqualTo(new String(fragment.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void rawBytesEmptyStatesAndSeveralChannelsAreWrittenAsInMemory() throws IOException {
        Map<String, JsonNode> state = new TreeMap<>();
        state.put("a", ValueCodec.toJson(new byte[] {(byte) 0xff, 0, 1}));
        state.put("b", ValueCodec.toJson(null));
        state.put("c", ValueCodec.toJson("not json".getBytes(StandardCharsets.UTF_8)));
        state.put("d", ValueCodec.toJson("{\"x\":[1,2.50,\"é\"]}".getBytes(StandardCharsets.UTF_8)));
        Map<String, Fragment.InChannel> in = Map.of(
                "t.2", new Fragment.InChannel(4, 9, List.of(
                        Fragment.Message.of(5, "k".getBytes(StandardCharsets.UTF_8), new byte[] {7}),
                        Fragment.Message.of(6, null, "{\"amount\":3}".getBytes(StandardCharsets.UTF_8)))),
                "t.1", new Fragment.InChannel(0, 0, List.of()));
        Map<String, Fragment.OutChannel> out = Map.of("u.2", new Fragment.OutChannel(3),
                "u.1", new Fragment.OutChannel(0));

        for (Fragment fragment : List.of(new Fragment(7, "p", 11, state, in, out),
                new Fragment(8, "q", 12, Map.of(), Map.of(), Map.of()))) {
            assertThat(streamed(fragment)).isEqualTo(fragment.toJson());
        }
    }

    @Property(tries = 30)
    void streamedChunksAreTheChunksOfTheFragmentInMemory(@ForAll @IntRange(min = 0, max = 40_000) int bytes,
                                                         @ForAll @IntRange(min = 64, max = 9_000) int chunkBytes,
                                                         @ForAll @LongRange(min = 0, max = 1_000) long seed)
            throws IOException {
        Fragment fragment = ChunksTest.fragmentOfSize(5, "p", bytes, seed);
        List<ProducerRecord<byte[], byte[]>> expected = Chunks.chunks(TOPIC, fragment, chunkBytes);
        List<ProducerRecord<byte[], byte[]>> streamed = new ArrayList<>();
        List<String> positions = new ArrayList<>();

        int count = Chunks.stream(TOPIC, fragment.key(), chunkBytes, out -> write(fragment, out),
                (chunk, index, total) -> {
                    streamed.add(chunk);
                    positions.add(index + "/" + total);
                });

        assertThat(count).as("seed %d", seed).isEqualTo(expected.size());
        assertThat(streamed).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(streamed.get(i).value()).as("chunk %d, seed %d", i, seed).isEqualTo(expected.get(i).value());
            assertThat(streamed.get(i).key()).isEqualTo(expected.get(i).key());
            assertThat(streamed.get(i).headers().toArray()).isEqualTo(expected.get(i).headers().toArray());
            assertThat(positions.get(i)).isEqualTo(i + "/" + expected.size());
        }
    }

    @Test
    void aSourceThatChangesBetweenTheTwoPassesIsAnErrorNamingTheFragment() {
        Fragment fragment = ChunksTest.fragmentOfSize(5, "p", 10_000, 1);
        AtomicInteger pass = new AtomicInteger();

        assertThatThrownBy(() -> Chunks.stream(TOPIC, fragment.key(), 1_000, out -> {
            out.write(fragment.toJson());
            if (pass.incrementAndGet() == 2) {
                out.write('x');
            }
        }, (chunk, index, count) -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("5/p");
    }

    private static byte[] streamed(Fragment fragment) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(fragment, out);
        return out.toByteArray();
    }

    /** The fragment written the way a node writes it: the state as a stream of raw entries. */
    private static void write(Fragment fragment, java.io.OutputStream out) throws IOException {
        FragmentStream.write(out, fragment.snapshot(), fragment.process(), fragment.recordedAt(),
                each -> fragment.state().forEach((key, value) -> each.accept(key, ValueCodec.fromJson(value))),
                fragment.in(), fragment.out());
    }
}
