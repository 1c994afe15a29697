package io.kafkasnap.collect;

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
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("maxChunkBytes must be >= 1, was " + maxChunkBytes);
        }
        byte[] json = fragment.toJson();
        byte[] key = fragment.key().toBytes();
        int n = Math.max(1, (json.length + maxChunkBytes - 1) / maxChunkBytes);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] slice = Arrays.copyOfRange(json, i * maxChunkBytes, Math.min(json.length, (i + 1) * maxChunkBytes));
            RecordHeaders headers = new RecordHeaders();
            headers.add(new RecordHeader(CHUNK_HEADER, (i + "/" + n).getBytes(StandardCharsets.UTF_8)));
            headers.add(new RecordHeader(CRC_HEADER, Long.toString(crc32(slice)).getBytes(StandardCharsets.UTF_8)));
            records.add(new ProducerRecord<>(collectionTopic, null, key, slice, headers));
        }
        return records;
    }

    static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
