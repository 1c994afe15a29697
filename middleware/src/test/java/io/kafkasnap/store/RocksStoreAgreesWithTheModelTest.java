package io.kafkasnap.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RocksDB store against the in-memory one as the model, over seeded random sequences of what the engine does with
 * a store: state reads, writes, deletes and scans, save points opened, rolled back and released (nested), outbox
 * appends between them, acknowledged entries dropped, commits, captures, clears and reopenings. The RocksDB store keeps a step's state writes on the
 * Java side and sets save points lazily; after every operation both stores must answer alike.
 */
class RocksStoreAgreesWithTheModelTest {

    private static final int SEEDS = 60;
    private static final int OPERATIONS = 400;
    /** Shared prefixes, an empty value, and non-ASCII keys (below U+D800, where UTF-8 and UTF-16 order agree). */
    private static final List<String> KEYS = List.of("a", "a/1", "a/2", "a/10", "b", "b/x", "é", "é/1", "z",
            "ab", "c");

    @TempDir
    Path dir;

    /**
     * With the default heap budget for a step's state writes and outbox entries; with a few hundred bytes, so that
     * steps overflow it partway and cached and batched writes mix; and with a few bytes, so that nearly everything
     * goes to the batch at once.
     */
    @ParameterizedTest(name = "heap budget {0} bytes")
    @ValueSource(longs = {RocksNodeStore.STEP_HEAP_BYTES, 300, 12})
    void everyRandomSequenceOfStoreOperationsGivesWhatTheInMemoryModelGives(long budget) {
        for (long seed = 1; seed <= SEEDS; seed++) {
            run(seed, budget);
        }
    }

    private void run(long seed, long cacheBytes) {
        Random random = new Random(seed);
        Path path = dir.resolve("seed-" + seed + "-" + cacheBytes);
        NodeStore rocks = RocksNodeStore.openRocks(path, false, null, cacheBytes);
        InMemoryNodeStore model = new InMemoryNodeStore();
        List<String> trace = new ArrayList<>();
        int marks = 0;
        try {
            for (int i = 0; i < OPERATIONS; i++) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                int op = random.nextInt(100);
                String what;
                // Ids are the stores' own (after a reopen of an empty outbox they may start again); the lists agree
                // entry by entry, so an entry is named by its place.
                List<OutboxEntry> sent = model.outbox();
                if (random.nextInt(12) == 0 && !sent.isEmpty()) {
                    // as the engine does with acknowledged entries: one, or a run from the first
                    List<OutboxEntry> rocksSent = rocks.outbox();
                    int k = random.nextInt(sent.size());
                    if (random.nextBoolean()) {
                        rocks.deleteOutbox(rocksSent.get(k).id());
                        model.deleteOutbox(sent.get(k).id());
                        what = "delete outbox entry " + k;
                    } else {
                        rocks.deleteOutboxRange(rocksSent.get(0).id(), rocksSent.get(k).id() + 1);
                        model.deleteOutboxRange(sent.get(0).id(), sent.get(k).id() + 1);
                        what = "delete outbox entries 0.." + k;
                    }
                    trace.add(what);
                    continue;
                }
                if (op < 25) {
                    byte[] value = random.nextInt(10) == 0 ? new byte[0]
                            : ("v" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
                    rocks.put(key, value);
                    model.put(key, value);
                    if (value.length > 0) {
                        value[0] = 'X'; // the stores copied it
                    }
                    what = "put " + key;
                } else if (op < 35) {
                    rocks.delete(key);
                    model.delete(key);
                    what = "delete " + key;
                } else if (op < 50) {
                    byte[] got = rocks.get(key);
                    assertThat(got).as("get %s (seed %d, cache " + cacheBytes + " bytes) after %s", key, seed, trace).isEqualTo(model.get(key));
                    if (got != null && got.length > 0) {
                        got[0] = 'Y'; // a caller's change to what it read is not the store's
                    }
                    what = "get " + key;
                } else if (op < 55) {
                    String prefix = key.substring(0, 1);
                    assertThat(scan((s, a) -> s.forEachStateWithPrefix(prefix, a), rocks))
                            .as("prefix %s (seed %d, cache " + cacheBytes + " bytes) after %s", prefix, seed, trace)
                            .isEqualTo(scan((s, a) -> s.forEachStateWithPrefix(prefix, a), model));
                    what = "prefix " + prefix;
                } else if (op < 58) {
                    String to = KEYS.get(random.nextInt(KEYS.size()));
                    assertThat(scan((s, a) -> s.forEachStateInRange(key, to, a), rocks))
                            .as("range %s..%s (seed %d, cache " + cacheBytes + " bytes) after %s", key, to, seed, trace)
                            .isEqualTo(scan((s, a) -> s.forEachStateInRange(key, to, a), model));
                    what = "range " + key + ".." + to;
                } else if (op < 68) {
                    rocks.mark();
                    model.mark();
                    marks++;
                    what = "mark";
                } else if (op < 74 && marks > 0) {
                    rocks.rollbackToMark();
                    model.rollbackToMark();
                    marks--;
                    what = "rollback";
                } else if (op < 82 && marks > 0) {
                    rocks.releaseMark();
                    model.releaseMark();
                    marks--;
                    what = "release";
                } else if (op < 88) {
                    byte[] value = key.getBytes(StandardCharsets.UTF_8);
                    OutboxEntry a = rocks.appendOutbox("ch", null, value, 0, -1, false);
                    OutboxEntry b = model.appendOutbox("ch", null, value, 0, -1, false);
                    assertThat(a.seq()).as("outbox append (seed %d, cache " + cacheBytes + " bytes) after %s", seed, trace)
                            .isEqualTo(b.seq());
                    what = "append";
                } else if (op < 90) {
                    rocks.clearState();
                    model.clearState();
                    what = "clear";
                } else if (marks == 0 && op < 96) {
                    rocks.commit();
                    model.commit();
                    try (StateCapture r = rocks.capture(); StateCapture m = model.capture()) {
                        assertThat(entries(r.readAll())).as("capture (seed %d, cache " + cacheBytes + " bytes) after %s", seed, trace)
                                .isEqualTo(entries(m.readAll()));
                    }
                    what = "commit";
                } else if (marks == 0 && op < 98) {
                    rocks.commit();
                    model.commit();
                    rocks.close();
                    rocks = RocksNodeStore.openRocks(path, false, null, cacheBytes);
                    model = model.crash();
                    what = "commit, reopen";
                } else {
                    what = "nothing";
                }
                trace.add(what);
                if (trace.size() > 30) {
                    trace.remove(0);
                }
                assertThat(scan(NodeStore::forEachState, rocks)).as("the whole state (seed %d, cache " + cacheBytes + " bytes) after %s", seed, trace)
                        .isEqualTo(scan(NodeStore::forEachState, model));
                assertThat(rocks.outbox().stream().map(RocksStoreAgreesWithTheModelTest::describe).toList())
                        .as("the outbox (seed %d, cache " + cacheBytes + " bytes) after %s", seed, trace)
                        .isEqualTo(model.outbox().stream().map(RocksStoreAgreesWithTheModelTest::describe).toList());
            }
        } finally {
            rocks.close();
        }
    }

    private static String describe(OutboxEntry e) {
        return e.channel() + ":" + e.seq() + ":" + new String(e.value(), StandardCharsets.UTF_8);
    }

    private static List<String> scan(BiConsumer<NodeStore, BiConsumer<String, byte[]>> how, NodeStore store) {
        List<String> entries = new ArrayList<>();
        how.accept(store, (k, v) -> entries.add(k + "=" + new String(v, StandardCharsets.UTF_8)));
        return entries;
    }

    private static List<String> entries(Map<String, byte[]> state) {
        List<String> entries = new ArrayList<>();
        state.forEach((k, v) -> entries.add(k + "=" + new String(v, StandardCharsets.UTF_8)));
        return entries;
    }
}
