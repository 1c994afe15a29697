package io.kafkasnap.engine;

import io.kafkasnap.store.OutboxEntry;

/**
 * Sends outbox entries on their channels, in the order given. Each send ends with exactly one of
 * {@link NodeEngine#onSendAcknowledged} or {@link NodeEngine#onSendFailed}, handed to the engine on its loop, with the
 * entry's id and the attempt number given here: an outcome of an older attempt is stale and ignored.
 */
public interface ChannelOutput {

    void send(OutboxEntry entry, long attempt);
}
