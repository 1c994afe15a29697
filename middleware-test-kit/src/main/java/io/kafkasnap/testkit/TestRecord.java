package io.kafkasnap.testkit;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Markers;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One record of a channel as {@link HandlerTestDriver} shows it: one piped into an incoming channel, one the handler
 * sent on an outgoing channel, or one a snapshot recorded as in flight.
 *
 * @param channel   the channel topic
 * @param offset    its offset in the driver's in-memory channel
 * @param key       the key, or null
 * @param value     the value, or null
 * @param headers   every header, kafkasnap's own ({@code kafkasnap-epoch}, {@code kafkasnap-seq}, ...) included
 * @param timestamp epoch millis
 */
public record TestRecord(String channel, long offset, byte[] key, byte[] value, Headers headers, long timestamp) {

    public TestRecord {
        headers = copy(headers);
    }

    /** The key as UTF-8 text, or null. */
    public String keyAsString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The value as UTF-8 text, or null. */
    public String valueAsString() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The value as decimal text, as {@code KeyValueState.putLong} writes it. */
    public long valueAsLong() {
        return Long.parseLong(valueAsString());
    }

    /** The {@code kafkasnap-epoch} header, if the record has one. */
    public OptionalLong epoch() {
        return ChannelHeaders.epoch(headers);
    }

    /** The {@code kafkasnap-seq} header, if the record has one. */
    public OptionalLong seq() {
        return ChannelHeaders.seq(headers);
    }

    /** Whether this is a snapshot marker (never handed to a handler). */
    public boolean isMarker() {
        return Markers.isMarker(headers);
    }

    /** Whether this is the fence a sender writes first on a channel after a restore (never handed to a handler). */
    public boolean isFence() {
        return ChannelHeaders.isFence(headers);
    }

    /** Neither a marker nor a fence: what a handler sent or is handed. */
    public boolean isAppRecord() {
        return !isMarker() && !isFence();
    }

    /** The value of the last header named {@code name} as UTF-8 text, or null if there is none. */
    public String header(String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(channel).append('@').append(offset);
        if (isMarker()) {
            b.append(" marker of snapshot ").append(header(Markers.HEADER));
        } else if (isFence()) {
            b.append(" fence");
        } else {
            b.append(" key=").append(keyAsString()).append(" value=").append(valueAsString());
        }
        epoch().ifPresent(e -> b.append(" epoch=").append(e));
        seq().ifPresent(s -> b.append(" seq=").append(s));
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestRecord r && channel.equals(r.channel) && offset == r.offset
                && Arrays.equals(key, r.key) && Arrays.equals(value, r.value) && timestamp == r.timestamp
                && Arrays.equals(headers.toArray(), r.headers.toArray());
    }

    @Override
    public int hashCode() {
        return 31 * (31 * channel.hashCode() + Long.hashCode(offset)) + Arrays.hashCode(value);
    }

    static Headers copy(Headers headers) {
        RecordHeaders copy = new RecordHeaders();
        if (headers != null) {
            for (Header h : headers) {
                copy.add(h.key(), h.value() == null ? null : h.value().clone());
            }
        }
        return copy;
    }
}
