package io.kafkasnap.store;

import java.util.List;

/**
 * A record waiting in the outbox to be sent on an outgoing channel: an app record, a marker or a fence. The outbox
 * is written in the same step as the state change that caused the send, so a send happens if and only if its step
 * committed.
 *
 * @param id     position in the outbox; entries are sent in id order
 * @param epoch  the sender's epoch ({@code kafkasnap-epoch})
 * @param seq    per channel and epoch, from 0, without gaps ({@code kafkasnap-seq})
 * @param marker the snapshot id if this is a marker, else -1
 * @param fence  whether this is the fence that opens {@code epoch} on the channel
 * @param headers the service's own headers of an app record, in order (never {@code kafkasnap-*}); empty for
 *                markers and fences
 */
public record OutboxEntry(long id, String channel, byte[] key, byte[] value, long epoch, long seq, long marker,
                          boolean fence, List<StoredHeader> headers) {

    public OutboxEntry {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    /** An entry without headers of the service's own. */
    public OutboxEntry(long id, String channel, byte[] key, byte[] value, long epoch, long seq, long marker,
                       boolean fence) {
        this(id, channel, key, value, epoch, seq, marker, fence, List.of());
    }

    public boolean isMarker() {
        return marker >= 0;
    }
}
