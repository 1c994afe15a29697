package io.kafkasnap.store;

import java.util.Arrays;
import java.util.Objects;

/** A record header as kept in the store: a name and its bytes (null allowed, as Kafka allows). */
public record StoredHeader(String key, byte[] value) {

    public StoredHeader {
        Objects.requireNonNull(key, "key");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredHeader h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "null" : value.length + " bytes");
    }
}
