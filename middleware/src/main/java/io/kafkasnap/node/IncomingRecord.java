package io.kafkasnap.node;

/**
 * An app record delivered to the handler. Markers never reach the handler.
 *
 * @param channel   the incoming channel topic
 * @param offset    its offset in the channel
 * @param key       the record key, or null
 * @param value     the record value, or null
 * @param timestamp the record timestamp, epoch millis
 */
public record IncomingRecord(String channel, long offset, byte[] key, byte[] value, long timestamp) {
}
