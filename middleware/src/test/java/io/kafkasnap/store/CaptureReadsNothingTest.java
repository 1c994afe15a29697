package io.kafkasnap.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;

/**
 * What the event loop does to capture the state (note the snapshot in flight, commit the step, take the capture) must
 * not depend on the state's size: it may read no key of it. Checked by RocksDB's own read counters rather than by
 * timing, so the check holds on a busy machine; the read-out, which does cost the state's size, shows the counters
 * count.
 */
class CaptureReadsNothingTest {

    private static final long SEED = 20261203L;
    private static final int KEYS = 20_000;

    /** Every way a caller reads keys out of RocksDB. Background compactions count elsewhere. */
    private static final TickerType[] READS = {TickerType.NUMBER_KEYS_READ, TickerType.NUMBER_DB_SEEK,
        TickerType.NUMBER_DB_NEXT, TickerType.NUMBER_DB_PREV, TickerType.ITER_BYTES_READ, TickerType.BYTES_READ,
        TickerType.NUMBER_MULTIGET_CALLS, TickerType.FLUSH_WRITE_BYTES};

    @TempDir
    Path dir;

    private static Map<TickerType, Long> counters(Statistics statistics) {
        Map<TickerType, Long> counters = new EnumMap<>(TickerType.class);
        for (TickerType ticker : READS) {
            counters.put(ticker, statistics.getTickerCount(ticker));
        }
        return counters;
    }

    /** {@code KEYS} keys of 200 random bytes each, committed, then the store reopened so that they sit in SST files. */
    private Map<String, String> writeState(Random random) {
        Map<String, String> written = new TreeMap<>();
        try (NodeStore store = NodeStore.open(dir)) {
            for (int i = 0; i < KEYS; i++) {
                byte[] value = new byte[100];
                random.nextBytes(value);
                String text = HexFormat.of().formatHex(value);
                String key = String.format("key-%06d", i);
                store.put(key, text.getBytes(StandardCharsets.UTF_8));
                written.put(key, text);
            }
            store.commit();
        }
        return written;
    }

    private static Map<String, String> texts(Map<String, byte[]> entries) {
        Map<String, String> texts = new TreeMap<>();
        entries.forEach((k, v) -> texts.put(k, new String(v, StandardCharsets.UTF_8)));
        return texts;
    }

    @Test
    void theLoopsPartOfACaptureReadsNoKeyOfTheStateAndTheReadOutReadsThemAll() {
        writeState(new Random(SEED));
        try (Statistics statistics = new Statistics();
             NodeStore store = RocksNodeStore.openRocks(dir, false, statistics)) {
            store.put("one-more", "x".getBytes(StandardCharsets.UTF_8)); // the step the capture ends
            Map<TickerType, Long> before = counters(statistics);

            store.putInFlight(7);
            store.commit();
            StateCapture capture = store.capture();

            Map<TickerType, Long> atCapture = counters(statistics);
            try (capture) {
                assertThat(atCapture).as("RocksDB read counters across the capture of %d keys (seed %d)", KEYS, SEED)
                        .isEqualTo(before);
                int[] seen = {0};
                capture.forEach((key, value) -> seen[0]++);
                assertThat(seen[0]).isEqualTo(KEYS + 1);
                assertThat(statistics.getTickerCount(TickerType.NUMBER_DB_NEXT)
                        - atCapture.get(TickerType.NUMBER_DB_NEXT))
                        .as("the read-out steps through every key, so the counters do see reads")
                        .isGreaterThanOrEqualTo(KEYS);
            }
        }
    }

    @Test
    void whatIsWrittenAfterTheCaptureIsNotInItsReadOut() {
        Random random = new Random(SEED);
        Map<String, String> written = writeState(random);
        try (NodeStore store = NodeStore.open(dir)) {
            try (StateCapture capture = store.capture()) {
                int changed = random.nextInt(KEYS);
                String overwritten = String.format("key-%06d", changed);
                String deleted = String.format("key-%06d", (changed + 1) % KEYS);
                store.put(overwritten, "after".getBytes(StandardCharsets.UTF_8));
                store.delete(deleted);
                store.put("key-new", "after".getBytes(StandardCharsets.UTF_8));
                store.commit();

                assertThat(texts(capture.readAll())).as("read-out after changing %s, deleting %s, adding key-new"
                        + " (seed %d)", overwritten, deleted, SEED).isEqualTo(written);
                assertThat(new String(store.get(overwritten), StandardCharsets.UTF_8)).isEqualTo("after");
                assertThat(store.get(deleted)).isNull();
            }
        }
    }
}
