package io.kafkasnap.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

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
