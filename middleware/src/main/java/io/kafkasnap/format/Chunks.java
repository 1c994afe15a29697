package io.kafkasnap.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Cuts a fragment's JSON into records for the collection topic (DESIGN.md, "Fragment"): key {@code <snapshot>/<process>},
 * byte slices of at most {@code maxChunkBytes} in order, each with {@value #CHUNK_HEADER} = {@code i/n} (0-based) and
 * {@value #CRC_HEADER} = the slice's CRC32 as an unsigned decimal; a small fragment is one record {@code 0/1}.
 */
public final class Chunks {

    public static final String CHUNK_HEADER = "kafkasnap-chunk";
    public static final String CRC_HEADER = "kafkasnap-crc32";

    private Chunks() {
    }

    /**
     * The records that carry {@code fragment} on {@code collectionTopic}. They must be sent in list order through
     * one producer so they land in order in the topic's partition. Choose {@code maxChunkBytes} comfortably below the
     * broker's {@code message.max.bytes} and the producer's {@code max.request.size}: key and headers add a little.
     */
    public static List<ProducerRecord<byte[], byte[]>> chunks(String collectionTopic, Fragment fragment, int maxChunkBytes) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        byte[] json = fragment.toJson();
        try {
            stream(collectionTopic, fragment.key(), maxChunkBytes, out -> out.write(json),
                    (record, index, count) -> records.add(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the fragment is already in memory", e);
        }
        return records;
    }

    /** Writes one fragment's JSON; called once or twice, and must write the same bytes each time. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Receives each chunk in order, with its index and the number of chunks. */
    @FunctionalInterface
    public interface Sink {
        void accept(ProducerRecord<byte[], byte[]> chunk, int index, int count);
    }

    /**
     * The chunks of the fragment {@code writer} writes, handed to {@code sink} in order, holding at most one chunk
     * in memory. Every chunk carries {@code i/n}, so {@code n} must be known first: a fragment that fits one chunk is
     * written once; a larger one is written once to count its bytes and again to cut it.
     *
     * @return the number of chunks
     * @throws IllegalStateException if the writer wrote different lengths in the two passes
     */
    public static int stream(String collectionTopic, FragmentKey key, int maxChunkBytes, Writer writer, Sink sink)
            throws IOException {
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("maxChunkBytes must be >= 1, was " + maxChunkBytes);
        }
        byte[] keyBytes = key.toBytes();
        FirstChunk first = new FirstChunk(maxChunkBytes);
        writer.writeTo(first);
        if (first.length <= maxChunkBytes) {
            sink.accept(chunk(collectionTopic, keyBytes, first.buffer.toByteArray(), 0, 1), 0, 1);
            return 1;
        }
        int count = (int) ((first.length + maxChunkBytes - 1) / maxChunkBytes);
        Cutter cutter = new Cutter(collectionTopic, keyBytes, maxChunkBytes, count, sink);
        writer.writeTo(cutter);
        cutter.finish();
        if (cutter.length != first.length) {
            throw new IllegalStateException("fragment " + key + " was " + first.length + " bytes when counted but "
                    + cutter.length + " when cut: its source changed in between");
        }
        return count;
    }

    private static ProducerRecord<byte[], byte[]> chunk(String topic, byte[] key, byte[] slice, int index, int count) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(CHUNK_HEADER, (index + "/" + count).getBytes(StandardCharsets.UTF_8)));
        headers.add(new RecordHeader(CRC_HEADER, Long.toString(crc32(slice)).getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, key, slice, headers);
    }

    /** Keeps the first chunk's worth of bytes and counts the rest. */
    private static final class FirstChunk extends OutputStream {
        final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final int limit;
        long length;

        FirstChunk(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            int kept = (int) Math.max(0, Math.min(count, limit - length));
            buffer.write(bytes, offset, kept);
            length += count;
        }
    }

    /** Cuts what is written into slices of {@code size} bytes and hands each over as a chunk. */
    private static final class Cutter extends OutputStream {
        private final String topic;
        private final byte[] key;
        private final int count;
        private final Sink sink;
        private final byte[] slice;
        private int filled;
        private int index;
        long length;

        Cutter(String topic, byte[] key, int size, int count, Sink sink) {
            this.topic = topic;
            this.key = key;
            this.count = count;
            this.sink = sink;
            this.slice = new byte[size];
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            this.length += length;
            while (length > 0) {
                int taken = Math.min(length, slice.length - filled);
                System.arraycopy(bytes, offset, slice, filled, taken);
                filled += taken;
                offset += taken;
                length -= taken;
                if (filled == slice.length) {
                    emit();
                }
            }
        }

        void finish() {
            if (filled > 0) {
                emit();
            }
            if (index != count) {
                throw new IllegalStateException("cut " + index + " chunks where " + count + " were counted");
            }
        }

        private void emit() {
            if (index >= count) {
                throw new IllegalStateException("more bytes than counted: chunk " + index + " of " + count);
            }
            sink.accept(chunk(topic, key, Arrays.copyOf(slice, filled), index, count), index, count);
            index++;
            filled = 0;
        }
    }

    public static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
