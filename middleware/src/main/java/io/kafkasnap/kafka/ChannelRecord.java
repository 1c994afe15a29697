package io.kafkasnap.kafka;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Markers;

/**
 * A record as it is in a channel topic.
 *
 * @param key the record key, or null
 * @param value the record value, or null
 * @param isMarker whether it carries the {@code kafkasnap-marker} header (a snapshot marker, not an app record)
 * @param epoch its {@code kafkasnap-epoch}, -1 if it has none (a plain Kafka producer's record)
 * @param seq its {@code kafkasnap-seq}, -1 if it has none
 * @param isFence whether it is the fence that opens {@code epoch} on the channel
 */
public record ChannelRecord(long offset, byte[] key, byte[] value, boolean isMarker, long epoch, long seq,
                            boolean isFence) {

    /** The header that makes a channel record a marker; its value is the snapshot id. */
    public static final String MARKER_HEADER = Markers.HEADER;

    /** A record without sequence headers. */
    public ChannelRecord(long offset, byte[] key, byte[] value, boolean isMarker) {
        this(offset, key, value, isMarker, -1, -1, false);
    }

    /** Whether it carries both sequence headers. */
    public boolean isSequenced() {
        return epoch >= 0 && seq >= 0;
    }

    /** An app record: neither marker nor fence. */
    public boolean isAppRecord() {
        return !isMarker && !isFence;
    }

    static ChannelRecord of(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record) {
        long epoch = -1;
        long seq = -1;
        try {
            epoch = ChannelHeaders.epoch(record.headers()).orElse(-1);
            seq = ChannelHeaders.seq(record.headers()).orElse(-1);
        } catch (IllegalArgumentException e) {
            // A malformed header: the node skips such a record, and so does the check as an unsequenced one.
        }
        return new ChannelRecord(record.offset(), record.key(), record.value(), Markers.isMarker(record.headers()),
                epoch, seq, ChannelHeaders.isFence(record.headers()));
    }
}
