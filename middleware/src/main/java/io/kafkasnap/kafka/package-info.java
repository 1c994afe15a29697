/**
 * Kafka adapters: channel topics and their checks, marker records, control records, channel reads.
 */
package io.kafkasnap.kafka;
