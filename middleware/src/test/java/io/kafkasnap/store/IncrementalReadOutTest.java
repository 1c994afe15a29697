package io.kafkasnap.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An incremental read-out ({@link StateCapture#forEachChangeSince}) hands on exactly what a comparison of the two
 * captures' whole contents finds, in key order, whether the store looks up the keys written in between or has to walk
 * both captures: through overwrites with equal values, keys created and deleted between captures, rolled-back
 * handlers, steps that spill into the native batch (heap budget 300 bytes), clears and captures released out of order.
 */
class IncrementalReadOutTest {

    @TempDir
    Path dir;

    private record Diff(Map<String, String> changed, List<String> removed) {
    }

    private static Diff expected(Map<String, byte[]> before, Map<String, byte[]> after) {
        Diff diff = new Diff(new LinkedHashMap<>(), new ArrayList<>());
        TreeMap<byte[], String> keys = new TreeMap<>(Arrays::compareUnsigned);
        before.keySet().forEach(k -> keys.put(k.getBytes(StandardCharsets.UTF_8), k));
        after.keySet().forEach(k -> keys.put(k.getBytes(StandardCharsets.UTF_8), k));
        for (String key : keys.values()) {
            byte[] now = after.get(key);
            if (now == null) {
                diff.removed().add(key);
            } else if (!Arrays.equals(now, before.get(key))) {
                diff.changed().put(key, new String(now, StandardCharsets.UTF_8));
            }
        }
        return diff;
    }

    private static Diff actual(StateCapture capture, StateCapture base) {
        Diff diff = new Diff(new LinkedHashMap<>(), new ArrayList<>());
        capture.forEachChangeSince(base,
                (key, value) -> diff.changed().put(key, new String(value, StandardCharsets.UTF_8)),
                diff.removed()::add);
        return diff;
    }

    @ParameterizedTest(name = "heap budget {0} bytes")
    @ValueSource(longs = {8L << 20, 300})
    void theChangesHandedOnAreThoseBetweenTheTwoCapturesWholeContents(long heapBudget) {
        long seed = 61206L + heapBudget;
        Random random = new Random(seed);
        NodeStore store = RocksNodeStore.openRocks(dir, false, null, heapBudget);
        try {
            List<StateCapture> open = new ArrayList<>();
            Map<StateCapture, Map<String, byte[]>> contents = new LinkedHashMap<>();
            int checked = 0;
            for (int step = 0; step < 400; step++) {
                int writes = random.nextInt(10) == 0 ? 40 : random.nextInt(4);
                for (int w = 0; w < writes; w++) {
                    String key = (random.nextBoolean() ? "k" : "é") + random.nextInt(60);
                    boolean inHandler = random.nextInt(5) == 0;
                    if (inHandler) {
                        store.mark();
                    }
                    if (random.nextInt(4) == 0) {
                        store.delete(key);
                    } else {
                        store.put(key, ("v" + random.nextInt(3)).getBytes(StandardCharsets.UTF_8));
                    }
                    if (inHandler) {
                        if (random.nextBoolean()) {
                            store.rollbackToMark();
                        } else {
                            store.releaseMark();
                        }
                    }
                }
                if (random.nextInt(100) == 0) {
                    store.clearState();
                }
                store.commit();
                if (random.nextInt(3) == 0) {
                    StateCapture capture = store.capture();
                    contents.put(capture, capture.readAll());
                    for (StateCapture base : open) {
                        assertThat(actual(capture, base)).as("seed %d, step %d", seed, step)
                                .isEqualTo(expected(contents.get(base), contents.get(capture)));
                        checked++;
                    }
                    open.add(capture);
                }
                if (open.size() > 3 || (!open.isEmpty() && random.nextInt(4) == 0)) {
                    StateCapture released = open.remove(random.nextInt(open.size()));
                    released.close();
                    contents.remove(released);
                }
            }
            open.forEach(StateCapture::close);
            assertThat(checked).as("seed %d", seed).isGreaterThan(100);
        } finally {
            store.close();
        }
    }

    @ParameterizedTest(name = "{0} keys written between the captures")
    @ValueSource(ints = {10, StateChanges.MAX_KEYS + 1})
    void moreKeysWrittenThanTheStoreTracksAreFoundByWalkingBothCaptures(int keys) {
        NodeStore store = RocksNodeStore.openRocks(dir, false, null, 64L << 20);
        try {
            store.put("kept", new byte[] {1});
            store.put("gone", new byte[] {1});
            store.commit();
            try (StateCapture base = store.capture()) {
                for (int i = 0; i < keys; i++) {
                    store.put("n" + i, new byte[] {1});
                    store.delete("n" + i); // written, but in neither capture
                }
                store.put("new", new byte[] {2});
                store.delete("gone");
                store.put("kept", new byte[] {1});
                store.commit();
                try (StateCapture capture = store.capture()) {
                    Diff diff = actual(capture, base);
                    assertThat(diff.changed()).containsExactly(Map.entry("new", "\u0002"));
                    assertThat(diff.removed()).containsExactly("gone");
                }
            }
        } finally {
            store.close();
        }
    }

    @Test
    void anIncrementalReadOutOfAFewChangedKeysReadsThoseKeysAndNotTheWholeState() {
        int keys = 20_000;
        try (Statistics statistics = new Statistics();
             NodeStore store = RocksNodeStore.openRocks(dir, false, statistics, 64L << 20)) {
            for (int i = 0; i < keys; i++) {
                store.put(String.format("key-%06d", i), new byte[100]);
            }
            store.commit();
            try (StateCapture base = store.capture()) {
                for (int i = 0; i < 20; i++) {
                    store.put(String.format("key-%06d", i * 997), new byte[] {7});
                }
                store.commit();
                try (StateCapture capture = store.capture()) {
                    long nextsBefore = statistics.getTickerCount(TickerType.NUMBER_DB_NEXT);
                    long getsBefore = statistics.getTickerCount(TickerType.NUMBER_KEYS_READ);

                    Diff diff = actual(capture, base);

                    assertThat(diff.changed()).hasSize(20);
                    assertThat(statistics.getTickerCount(TickerType.NUMBER_DB_NEXT) - nextsBefore).isZero();
                    assertThat(statistics.getTickerCount(TickerType.NUMBER_KEYS_READ) - getsBefore).isEqualTo(40);
                }
            }
        }
    }
}
