package io.kafkasnap.store;

import java.util.List;

/** A channel record kept as part of a snapshot's channel state, as it arrived: key, value, headers, timestamp. */
public record RecordedRecord(String channel, long offset, byte[] key, byte[] value, List<StoredHeader> headers,
                             long timestamp) {

    public RecordedRecord {
        headers = List.copyOf(headers);
    }

    public RecordedRecord(String channel, long offset, byte[] key, byte[] value) {
        this(channel, offset, key, value, List.of(), -1);
    }
}
