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

    /**
     * Every entry whose key starts with {@code prefix}, in key order (the order of the keys' UTF-8 bytes), this
     * step's changes included. The entries are read before the first call of {@code action}, so it may change the
     * state (delete what it reads, for example); it does not see its own changes.
     */
    void forEachWithPrefix(String prefix, BiConsumer<String, byte[]> action);

    /**
     * Every entry with {@code fromInclusive <= key < toExclusive}, in key order (the order of the keys' UTF-8 bytes),
     * read as {@link #forEachWithPrefix} reads. Nothing when {@code toExclusive} is not after {@code fromInclusive}.
     */
    void range(String fromInclusive, String toExclusive, BiConsumer<String, byte[]> action);

    /** The value decoded by {@code codec}, or null when the key is absent. */
    default <T> T get(String key, Codec<T> codec) {
        return codec.decode(get(key));
    }

    /** Writes {@code value} encoded by {@code codec}; a value that encodes to null deletes the key. */
    default <T> void put(String key, T value, Codec<T> codec) {
        byte[] bytes = codec.encode(value);
        if (bytes == null) {
            delete(key);
        } else {
            put(key, bytes);
        }
    }

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
