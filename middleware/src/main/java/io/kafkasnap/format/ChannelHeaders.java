package io.kafkasnap.format;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The headers every record a node sends on a channel carries (DESIGN.md, "Durability"): {@value #EPOCH} and
 * {@value #SEQ}, decimal text, so that a receiver applies each (epoch, seq) at most once; a marker adds
 * {@value Markers#HEADER}, and the first record of an epoch on a channel is a fence with {@value #FENCE}.
 */
public final class ChannelHeaders {

    public static final String EPOCH = "kafkasnap-epoch";
    public static final String SEQ = "kafkasnap-seq";
    public static final String FENCE = "kafkasnap-fence";
    /** Every header kafkasnap sets starts with it; a service's own headers may not. */
    public static final String RESERVED_PREFIX = "kafkasnap-";

    private ChannelHeaders() {
    }

    /** Whether {@code name} starts with {@value #RESERVED_PREFIX}, in any case. */
    public static boolean isReserved(String name) {
        return name.regionMatches(true, 0, RESERVED_PREFIX, 0, RESERVED_PREFIX.length());
    }

    /** The headers of an outgoing record. */
    public static Headers of(long epoch, long seq, long marker, boolean fence) {
        return new RecordHeaders(array(epoch, seq, marker, fence, 0));
    }

    /**
     * The headers of an outgoing record in an array with {@code more} empty cells at the end for the service's own:
     * Kafka copies headers given as an array at their size, where adding them one by one grows a list.
     */
    public static Header[] array(long epoch, long seq, long marker, boolean fence, int more) {
        Header[] headers = new Header[2 + (marker >= 0 ? 1 : 0) + (fence ? 1 : 0) + more];
        int i = 0;
        headers[i++] = new RecordHeader(EPOCH, decimal(epoch));
        headers[i++] = new RecordHeader(SEQ, decimal(seq));
        if (marker >= 0) {
            headers[i++] = new RecordHeader(Markers.HEADER, decimal(marker));
        }
        if (fence) {
            headers[i] = new RecordHeader(FENCE, new byte[0]);
        }
        return headers;
    }

    /**
     * The (epoch, seq) a record carries, if it has both headers; a record from a plain Kafka producer has neither.
     *
     * @throws IllegalArgumentException naming the header if one is present but not a non-negative decimal, or only
     *     one of the two is present
     */
    public static OptionalLong epoch(Headers headers) {
        return decimalHeader(headers, EPOCH);
    }

    public static OptionalLong seq(Headers headers) {
        return decimalHeader(headers, SEQ);
    }

    /** A record's (epoch, seq). */
    public record Sequence(long epoch, long seq) {
    }

    /**
     * The (epoch, seq) a record carries, parsed once; null for a record with neither header (a plain Kafka
     * producer's).
     *
     * @throws IllegalArgumentException naming the header if one is not a non-negative decimal, or only one of the two
     *     is present
     */
    public static Sequence sequence(Headers headers) {
        OptionalLong epoch = epoch(headers);
        OptionalLong seq = seq(headers);
        if (epoch.isEmpty() && seq.isEmpty()) {
            return null;
        }
        if (epoch.isEmpty() || seq.isEmpty()) {
            throw new IllegalArgumentException("has " + (epoch.isEmpty() ? SEQ : EPOCH) + " without "
                    + (epoch.isEmpty() ? EPOCH : SEQ));
        }
        return new Sequence(epoch.getAsLong(), seq.getAsLong());
    }

    /**
     * What a channel record's {@code kafkasnap-*} headers say.
     *
     * @param sequence null for a record with neither {@value #EPOCH} nor {@value #SEQ} (a plain Kafka producer's)
     * @param marker the snapshot id of a marker, -1 for any other record
     */
    public record Read(Sequence sequence, long marker, boolean fence) {
    }

    /**
     * Reads every {@code kafkasnap-*} header of a record in one pass over its headers, with the rules of
     * {@link #sequence}, {@link Markers#snapshotOf} and {@link #isFence} (the last of a repeated header wins, as with
     * {@link Headers#lastHeader}). A receiver reads these for every record; each {@code lastHeader} walks all of them.
     *
     * @throws IllegalArgumentException naming the header whose value is malformed
     */
    public static Read read(Headers headers) {
        Header epoch = null;
        Header seq = null;
        Header marker = null;
        boolean fence = false;
        for (Header header : headers) {
            String key = header.key();
            if (!key.startsWith(RESERVED_PREFIX)) {
                continue;
            }
            switch (key) {
                case EPOCH -> epoch = header;
                case SEQ -> seq = header;
                case Markers.HEADER -> marker = header;
                case FENCE -> fence = true;
                default -> {
                }
            }
        }
        long epochValue = epoch == null ? -1 : decimalValue(epoch, EPOCH);
        long seqValue = seq == null ? -1 : decimalValue(seq, SEQ);
        Sequence sequence = null;
        if (epoch != null || seq != null) {
            if (epoch == null || seq == null) {
                throw new IllegalArgumentException("has " + (epoch == null ? SEQ : EPOCH) + " without "
                        + (epoch == null ? EPOCH : SEQ));
            }
            sequence = new Sequence(epochValue, seqValue);
        }
        return new Read(sequence, marker == null ? -1 : Markers.snapshotOf(marker), fence);
    }

    public static boolean isFence(Headers headers) {
        return headers.lastHeader(FENCE) != null;
    }

    private static OptionalLong decimalHeader(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        if (header == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(decimalValue(header, name));
    }

    private static long decimalValue(Header header, String name) {
        long value = parseDecimal(header.value());
        if (value < 0) {
            String text = header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
            throw new IllegalArgumentException(name + " header '" + text + "' is not a non-negative decimal");
        }
        return value;
    }

    /**
     * The value of ASCII decimal digits, or -1 if {@code bytes} is null, empty, holds anything else (a sign too) or
     * exceeds {@link Long#MAX_VALUE}. Read straight from the bytes: every record of a channel carries two of these.
     */
    static long parseDecimal(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > 19) {
            return -1;
        }
        long value = 0;
        for (byte b : bytes) {
            int digit = b - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
            if (value < 0) {
                return -1; // past Long.MAX_VALUE, which has 19 digits too
            }
        }
        return value;
    }

    /** {@code value} (non-negative) as ASCII decimal digits, without going through a String. */
    static byte[] decimal(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative: " + value);
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        byte[] bytes = new byte[digits];
        long v = value;
        for (int i = digits - 1; i >= 0; i--) {
            bytes[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return bytes;
    }
}
