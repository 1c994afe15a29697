package io.kafkasnap.api;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * String keys to byte values. Values that are JSON (UTF-8) appear as JSON in snapshots; anything else appears
 * as base64. The long helpers store decimal text, which is JSON, so numbers read naturally in a snapshot.
 */
public interface KeyValueState {

    /** The value, or null when the key is absent. */
    byte[] get(String key);

    void put(String key, byte[] value);

    void delete(String key);

    /** Every entry, in key order; for inspection and restore, not for the hot path. */
    void forEach(BiConsumer<String, byte[]> action);

    default long getLong(String key, long absent) {
        byte[] value = get(key);
        if (value == null) {
            return absent;
        }
        String text = new String(value, StandardCharsets.UTF_8);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("state key '" + key + "' holds '" + text + "', not a long", e);
        }
    }

    default void putLong(String key, long value) {
        put(key, Long.toString(value).getBytes(StandardCharsets.UTF_8));
    }
}
