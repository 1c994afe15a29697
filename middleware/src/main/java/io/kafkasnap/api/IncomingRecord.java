package io.kafkasnap.api;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An app record delivered to the handler. Markers never reach the handler.
 *
 * @param channel   the incoming channel topic
 * @param offset    its offset in the channel
 * @param key       the record key, or null
 * @param value     the record value, or null
 * @param timestamp the record timestamp, epoch millis
 * @param headers   the record's headers, kafkasnap's own included ({@code kafkasnap-epoch}, {@code kafkasnap-seq})
 */
public record IncomingRecord(String channel, long offset, byte[] key, byte[] value, long timestamp,
                             Headers headers) {

    public IncomingRecord {
        headers = headers == null ? new RecordHeaders() : headers;
    }

    public IncomingRecord(String channel, long offset, byte[] key, byte[] value, long timestamp) {
        this(channel, offset, key, value, timestamp, new RecordHeaders());
    }

    /** The key decoded by {@code codec}; null for a null key. */
    public <T> T key(Codec<T> codec) {
        return codec.decode(key);
    }

    /** The value decoded by {@code codec}; null for a null value. */
    public <T> T value(Codec<T> codec) {
        return codec.decode(value);
    }

    /** The value of the last header named {@code name}, or null if there is none. */
    public byte[] header(String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : header.value();
    }
}
