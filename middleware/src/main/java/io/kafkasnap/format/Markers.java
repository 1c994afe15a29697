package io.kafkasnap.format;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A marker is a record in a channel topic with the header {@value #HEADER} = the snapshot id in decimal, and an
 * empty value. Anything without the header is an app record.
 */
public final class Markers {

    public static final String HEADER = "kafkasnap-marker";

    private static final byte[] EMPTY = new byte[0];

    private Markers() {
    }

    public static ProducerRecord<byte[], byte[]> marker(String channel, long snapshot) {
        Headers headers = new RecordHeaders();
        headers.add(HEADER, Long.toString(snapshot).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(channel, 0, (byte[]) null, EMPTY, headers);
    }

    /** Whether the record carries the marker header, whatever its value. */
    public static boolean isMarker(Headers headers) {
        return headers.lastHeader(HEADER) != null;
    }

    /**
     * The snapshot id of a marker.
     *
     * @throws IllegalArgumentException naming the header value if it is not a snapshot id
     */
    public static long snapshotOf(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        if (header == null) {
            throw new IllegalArgumentException("no " + HEADER + " header");
        }
        return snapshotOf(header);
    }

    /** The snapshot id a {@value #HEADER} header holds. */
    static long snapshotOf(Header header) {
        String text = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
        try {
            long snapshot = Long.parseLong(text);
            if (snapshot < 0) {
                throw new NumberFormatException("negative");
            }
            return snapshot;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(HEADER + " header '" + text + "' is not a snapshot id", e);
        }
    }
}
