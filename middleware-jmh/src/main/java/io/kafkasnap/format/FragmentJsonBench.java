package io.kafkasnap.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fragment encoding: {@link FragmentJson#write} and {@link FragmentJson#read} of a fragment holding {@code messages}
 * recorded messages of 100-byte values on one channel and a state of {@code keys} keys, and {@link Chunks#chunks}
 * of it into the collection topic's records. The figure per op is per fragment; divide by messages + keys for the
 * cost per entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FragmentJsonBench {

    @Param({"1000:0", "100000:0", "0:10000"})
    public String messagesAndKeys;

    private Fragment fragment;
    private byte[] json;

    @Setup
    public void setUp() {
        String[] parts = messagesAndKeys.split(":");
        int messages = Integer.parseInt(parts[0]);
        int keys = Integer.parseInt(parts[1]);
        Random random = new Random(42);
        List<Fragment.Message> recorded = new ArrayList<>(messages);
        for (int i = 0; i < messages; i++) {
            byte[] value = new byte[100];
            random.nextBytes(value);
            recorded.add(Fragment.Message.of(1_000 + i, ("k" + i).getBytes(), value));
        }
        Map<String, JsonNode> state = new LinkedHashMap<>();
        for (int i = 0; i < keys; i++) {
            byte[] value = new byte[100];
            random.nextBytes(value);
            state.put("key-" + i, ValueCodec.toJson(value));
        }
        fragment = new Fragment(7, "node-a", 1_700_000_000_000L, state,
                Map.of("app.b-to-a", new Fragment.InChannel(1_000, 1_000 + messages, recorded)),
                Map.of("app.a-to-b", new Fragment.OutChannel(500)));
        json = FragmentJson.write(fragment);
    }

    @Benchmark
    public byte[] write() {
        return FragmentJson.write(fragment);
    }

    @Benchmark
    public Fragment read() {
        return FragmentJson.read(json);
    }

    @Benchmark
    public List<ProducerRecord<byte[], byte[]>> chunks() {
        return Chunks.chunks("snapshots.fragments", fragment, 900_000);
    }
}
