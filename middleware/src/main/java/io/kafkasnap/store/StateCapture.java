package io.kafkasnap.store;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The local state frozen at one instant. Taking it is O(1) (a RocksDB snapshot); reading it out costs the
 * state's size and may run on any thread, as often as needed, while the event loop goes on changing the live state.
 * It pins the versions it shows until it is closed.
 */
public interface StateCapture extends AutoCloseable {

    /**
     * Hands every state entry at the instant of capture to {@code entry}, in key order, one at a time: memory stays
     * flat whatever the state's size. May be called again; it sees the same entries.
     *
     * @throws IllegalStateException once the capture is released
     */
    void forEach(BiConsumer<String, byte[]> entry);

    /**
     * Hands what changed between {@code base}, an earlier capture of the same store, and this one, in key order: each
     * entry that is new or whose value differs to {@code changed}, each key of {@code base} that is gone to
     * {@code removed}. Both captures stay pinned meanwhile; what is read is the two captures, never the live state.
     *
     * @throws IllegalStateException once either capture is released
     */
    default void forEachChangeSince(StateCapture base, BiConsumer<String, byte[]> changed,
                                    Consumer<String> removed) {
        Map<String, byte[]> before = base.readAll();
        Map<String, byte[]> after = readAll();
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            byte[] now = after.get(key);
            if (now == null) {
                removed.accept(key);
            } else if (!Arrays.equals(now, before.get(key))) {
                changed.accept(key, now);
            }
        }
    }

    /** Every state entry at the instant of capture, in key order, all in memory; for tests and small states. */
    default Map<String, byte[]> readAll() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        forEach(entries::put);
        return entries;
    }

    /** Releases what the capture pins. Idempotent. */
    @Override
    void close();
}
