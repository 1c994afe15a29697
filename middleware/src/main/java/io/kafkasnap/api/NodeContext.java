package io.kafkasnap.api;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What handlers and timers may do. Valid only during the call it was passed to, on the event loop.
 */
public interface NodeContext {

    /** This node's process id. */
    String processId();

    /** The node's key-value state, kept in RocksDB and captured by every snapshot. */
    KeyValueState state();

    /**
     * Sends an app record on an outgoing channel. Records reach the channel in the order they are sent, and a
     * marker sent by this node goes exactly between the sends before and after the snapshot's recording.
     *
     * @throws IllegalArgumentException if {@code channel} is not one of this node's outgoing channels
     */
    void send(String channel, byte[] key, byte[] value);

    /**
     * Sends an app record with headers of the service's own, which travel with the record beside kafkasnap's
     * {@code kafkasnap-*} headers, in the given order; they are kept in the outbox with the record, so a record sent
     * again after a crash carries them too.
     *
     * @throws IllegalArgumentException if {@code channel} is not an outgoing channel, or a header's name starts with
     *                                  {@code kafkasnap-} (the prefix is kafkasnap's own)
     */
    void send(String channel, byte[] key, byte[] value, Headers headers);

    /** Same as {@link #send(String, byte[], byte[], Headers)}, with one header per map entry in the map's order. */
    default void send(String channel, byte[] key, byte[] value, Map<String, byte[]> headers) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach(h::add);
        send(channel, key, value, h);
    }

    /** Sends {@code value} encoded by {@code codec}. */
    default <T> void send(String channel, byte[] key, T value, Codec<T> codec) {
        send(channel, key, codec.encode(value));
    }

    /** Sends {@code key} and {@code value}, each encoded by its codec. */
    default <K, V> void send(String channel, K key, Codec<K> keyCodec, V value, Codec<V> valueCodec) {
        send(channel, keyCodec.encode(key), valueCodec.encode(value));
    }

    /** Same as {@code send(channel, null, value)}. */
    default void send(String channel, byte[] value) {
        send(channel, null, value);
    }

    Set<String> incomingChannels();

    Set<String> outgoingChannels();
}
