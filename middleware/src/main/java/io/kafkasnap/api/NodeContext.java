package io.kafkasnap.api;

import java.util.Set;

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

    /** Same as {@code send(channel, null, value)}. */
    default void send(String channel, byte[] value) {
        send(channel, null, value);
    }

    Set<String> incomingChannels();

    Set<String> outgoingChannels();
}
