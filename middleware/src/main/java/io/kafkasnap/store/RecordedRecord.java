package io.kafkasnap.store;

/** A channel record kept as part of a snapshot's channel state. */
public record RecordedRecord(String channel, long offset, byte[] key, byte[] value) {
}
