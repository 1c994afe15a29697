package io.kafkasnap.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns values of one type into bytes and back, for typed state ({@link KeyValueState#get(String, Codec)}) and typed
 * sends ({@link NodeContext#send(String, byte[], Object, Codec)}). Null stays null both ways, so a null value deletes a
 * state key as the byte methods do. The built-ins write text (UTF-8), which appears readable in snapshots.
 */
public interface Codec<T> {

    /** The bytes of {@code value}; null for null. */
    byte[] encode(T value);

    /** The value of {@code bytes}; null for null. */
    T decode(byte[] bytes);

    /** UTF-8 text. */
    static Codec<String> string() {
        return Builtin.STRING;
    }

    /** A long as decimal text, the format of {@link KeyValueState#getLong} and {@link KeyValueState#putLong}. */
    static Codec<Long> longs() {
        return Builtin.LONG;
    }

    /** Bytes as they are. */
    static Codec<byte[]> bytes() {
        return Builtin.BYTES;
    }

    /** JSON through Jackson, with a mapper of its own that writes dates as text. */
    static <T> Codec<T> json(Class<T> type) {
        return json(type, Builtin.MAPPER);
    }

    /** JSON through the given Jackson mapper. */
    static <T> Codec<T> json(Class<T> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new Codec<>() {
            @Override
            public byte[] encode(T value) {
                if (value == null) {
                    return null;
                }
                try {
                    return mapper.writeValueAsBytes(value);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write a " + type.getName() + " as JSON: "
                            + e.getMessage(), e);
                }
            }

            @Override
            public T decode(byte[] bytes) {
                if (bytes == null) {
                    return null;
                }
                try {
                    return mapper.readValue(bytes, type);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read a " + type.getName() + " from JSON '"
                            + new String(bytes, StandardCharsets.UTF_8) + "': " + e.getMessage(), e);
                }
            }

            @Override
            public String toString() {
                return "Codec.json(" + type.getName() + ")";
            }
        };
    }
}

/** The built-in codecs. */
final class Builtin {

    static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .findAndAddModules()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    static final Codec<String> STRING = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Codec.string()";
        }
    };

    static final Codec<Long> LONG = new Codec<>() {
        @Override
        public byte[] encode(Long value) {
            return value == null ? null : Long.toString(value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Long decode(byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a long", e);
            }
        }

        @Override
        public String toString() {
            return "Codec.longs()";
        }
    };

    static final Codec<byte[]> BYTES = new Codec<>() {
        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] bytes) {
            return bytes;
        }

        @Override
        public String toString() {
            return "Codec.bytes()";
        }
    };

    private Builtin() {
    }
}
