package io.kafkasnap.engine;

import org.apache.kafka.common.header.Headers;

/**
 * A record of an incoming channel or of the control topic, as the shell read it.
 *
 * @param headers Kafka's header type is a plain data type here; the engine uses no Kafka client
 */
public record InputRecord(String topic, long offset, byte[] key, byte[] value, long timestamp, Headers headers) {
}
