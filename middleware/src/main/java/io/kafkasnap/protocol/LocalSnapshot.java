package io.kafkasnap.protocol;

import java.util.Map;

/**
 * What the protocol knows of one process's finished part of a snapshot: where recording began and where the
 * marker arrived on every incoming channel, and where this process's marker landed on every outgoing channel.
 * The runtime adds the state it captured and the channel records it kept to make the fragment.
 *
 * @param in  incoming channel to its recorded range [recordedFrom, markerOffset)
 * @param out outgoing channel to the offset of this process's marker in it
 */
public record LocalSnapshot(long snapshot, Map<String, ChannelCut> in, Map<String, Long> out) {

    public LocalSnapshot {
        in = Map.copyOf(in);
        out = Map.copyOf(out);
    }

    /** The recorded range of an incoming channel: app records at offsets [recordedFrom, markerOffset). */
    public record ChannelCut(long recordedFrom, long markerOffset) {
        public ChannelCut {
            if (recordedFrom > markerOffset) {
                throw new IllegalArgumentException(
                        "recordedFrom " + recordedFrom + " is after markerOffset " + markerOffset);
            }
        }
    }
}
