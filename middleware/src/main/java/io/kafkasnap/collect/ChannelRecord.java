package io.kafkasnap.collect;

/**
 * A record as it is in a channel topic.
 *
 * @param key the record key, or null
 * @param value the record value, or null
 * @param isMarker whether it carries the {@code kafkasnap-marker} header (a snapshot marker, not an app record)
 */
public record ChannelRecord(long offset, byte[] key, byte[] value, boolean isMarker) {

    /** The header that makes a channel record a marker; its value is the snapshot id. */
    public static final String MARKER_HEADER = "kafkasnap-marker";
}
