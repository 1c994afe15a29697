package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.MalformedDocumentException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts fragments back together from the collection topic. Feed it the topic's records in offset order; per key it
 * answers a complete {@link Fragment} once the last chunk arrives, or an {@link Unusable} naming what went wrong.
 * Each problem is logged once (key, offset, reason); the rest of a broken chunk sequence is then skipped quietly
 * (at debug level) because it has already been reported. A new {@code 0/n} sequence for the same key starts afresh,
 * so a fragment that was published again after a failure can still arrive.
 *
 * <p>Not thread-safe: one consumer thread feeds it.
 */
public final class ChunkReassembler {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReassembler.class);

    /** What one record completed: a fragment or a problem. */
    public sealed interface Outcome permits Assembled, Unusable {
        /** The record key as text ({@code <snapshot>/<process>}), or {@code "<no key>"}. */
        String key();

        /** Offset of the record that completed the fragment or revealed the problem. */
        long offset();

        /** Timestamp of that record, epoch millis. */
        long timestamp();

        /** The snapshot and process the key names, if it is a well-formed key. */
        default Optional<FragmentKey> fragmentKey() {
            return FragmentKey.parse(key());
        }
    }

    /**
     * A fragment whose chunks all arrived intact.
     *
     * @param firstOffset the offset of its first chunk, where an incremental fragment's {@link Fragment.Base} points
     */
    public record Assembled(String key, long offset, long timestamp, Fragment fragment, long firstOffset)
            implements Outcome {
    }

    /** The fragment of {@code key} cannot be used; {@code reason} says why. */
    public record Unusable(String key, long offset, long timestamp, String reason) implements Outcome {
    }

    private static final String NO_KEY = "<no key>";

    private final Map<String, Partial> partials = new HashMap<>();
    private final Map<String, Broken> broken = new HashMap<>();

    /**
     * Takes the next record of the collection topic. Answers nothing while a fragment is still arriving, one outcome
     * when this record completes a fragment or shows a problem, and two when a restarted sequence ends an unfinished
     * one (the old one unusable) and is itself complete at once.
     */
    public List<Outcome> accept(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? NO_KEY : new String(record.key(), StandardCharsets.UTF_8);
        List<Outcome> outcomes = new ArrayList<>(1);
        process(key, record, outcomes);
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Unusable unusable) {
                LOG.warn("unusable fragment key={} offset={} topic={}: {}", key, record.offset(), record.topic(),
                        unusable.reason());
            }
        }
        return outcomes;
    }

    /**
     * Forgets any unfinished chunk sequence of {@code key} (when its snapshot is finished without it) and says what was
     * pending, e.g. "received chunks 0..1 of 3, offsets 10..11", so the caller can report it.
     */
    public Optional<String> abandon(String key) {
        broken.remove(key);
        Partial partial = partials.remove(key);
        if (partial == null) {
            return Optional.empty();
        }
        return Optional.of("received chunks 0.." + (partial.next - 1) + " of " + partial.n + " (offsets "
                + partial.firstOffset + ".." + partial.lastOffset + "), the rest never arrived");
    }

    /** Keys with an unfinished chunk sequence. */
    public int pendingCount() {
        return partials.size();
    }

    private void process(String key, ConsumerRecord<byte[], byte[]> record, List<Outcome> outcomes) {
        if (record.key() == null) {
            outcomes.add(problem(key, record, "record without a key (expected <snapshot>/<process>)"));
            return;
        }
        if (FragmentKey.parse(key).isEmpty()) {
            outcomes.add(problem(key, record, "key is not <snapshot>/<process>"));
            return;
        }
        Header chunkHeader = record.headers().lastHeader(Chunks.CHUNK_HEADER);
        Header crcHeader = record.headers().lastHeader(Chunks.CRC_HEADER);
        if (chunkHeader == null || crcHeader == null) {
            outcomes.add(abort(key, record, "record without the "
                    + (chunkHeader == null ? Chunks.CHUNK_HEADER : Chunks.CRC_HEADER) + " header"));
            return;
        }
        String chunkText = text(chunkHeader);
        int[] position = position(record);
        if (position == null) {
            outcomes.add(abort(key, record, Chunks.CHUNK_HEADER + " is \"" + chunkText + "\", expected i/n with 0 <= i < n"));
            return;
        }
        int i = position[0];
        int n = position[1];
        long expectedCrc;
        try {
            expectedCrc = Long.parseLong(text(crcHeader));
        } catch (NumberFormatException e) {
            outcomes.add(abort(key, record, Chunks.CRC_HEADER + " is \"" + text(crcHeader) + "\", expected an unsigned decimal"));
            return;
        }

        Broken skipped = broken.get(key);
        if (skipped != null) {
            if (i != 0 && n == skipped.n && i == skipped.next) {
                // The rest of a sequence whose problem was already reported: not news.
                LOG.debug("skipping chunk {}/{} of already unusable fragment key={} offset={}", i, n, key, record.offset());
                skipped.next++;
                if (skipped.next == n) {
                    broken.remove(key);
                }
                return;
            }
            broken.remove(key);
        }

        Partial partial = partials.get(key);
        if (partial != null && i == 0) {
            // The previous sequence can no longer finish; this record may start one that does (a republished fragment).
            partials.remove(key);
            outcomes.add(problem(key, record, "a new chunk sequence 0/" + n + " started before the previous one finished: "
                    + "missing chunk(s) " + partial.next + ".." + (partial.n - 1) + " of " + partial.n));
            partial = null;
        } else if (partial != null && n != partial.n) {
            outcomes.add(abort(key, record, "chunk count changed from " + partial.n + " to " + n + " at chunk " + chunkText));
            return;
        } else if (partial != null && i != partial.next) {
            outcomes.add(abort(key, record, "chunk " + chunkText + " arrived where " + partial.next + "/" + partial.n
                    + " was expected: missing chunk(s) " + partial.next + ".." + (i - 1)));
            return;
        } else if (partial == null && i != 0) {
            outcomes.add(abort(key, record, "chunk " + chunkText + " without the chunks before it: missing chunk(s) 0.."
                    + (i - 1)));
            return;
        }

        byte[] slice = record.value() == null ? new byte[0] : record.value();
        long actualCrc = Chunks.crc32(slice);
        if (actualCrc != expectedCrc) {
            outcomes.add(abort(key, record, "CRC32 mismatch in chunk " + chunkText + ": header says " + expectedCrc
                    + ", the " + slice.length + "-byte slice has " + actualCrc));
            return;
        }
        if (partial == null) {
            partial = new Partial(n, record.offset());
            partials.put(key, partial);
        }
        partial.append(slice, record.offset());
        if (partial.next == n) {
            partials.remove(key);
            outcomes.add(complete(key, record, partial.bytes.toByteArray(), partial.firstOffset));
        }
    }

    private static Outcome complete(String key, ConsumerRecord<byte[], byte[]> record, byte[] json, long firstOffset) {
        Fragment fragment;
        try {
            fragment = Fragment.fromJson(json);
        } catch (MalformedDocumentException | IllegalArgumentException e) {
            return problem(key, record, "chunks do not form a fragment: " + e.getMessage());
        }
        if (!fragment.key().toString().equals(key)) {
            return problem(key, record, "record key is " + key + " but the fragment inside is " + fragment.key());
        }
        return new Assembled(key, record.offset(), record.timestamp(), fragment, firstOffset);
    }

    /** A problem that also ends the key's current sequence; its remaining chunks are then skipped. */
    private Outcome abort(String key, ConsumerRecord<byte[], byte[]> record, String reason) {
        Partial partial = partials.remove(key);
        int[] position = position(record);
        if (position != null && position[0] + 1 < position[1]) {
            broken.put(key, new Broken(position[1], position[0] + 1));
        } else if (partial != null && position == null) {
            broken.put(key, new Broken(partial.n, partial.next + 1));
        }
        return problem(key, record, reason);
    }

    private static Outcome problem(String key, ConsumerRecord<byte[], byte[]> record, String reason) {
        return new Unusable(key, record.offset(), record.timestamp(), reason);
    }

    /** {i, n} from the chunk header if it is well formed, else null. */
    private static int[] position(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Chunks.CHUNK_HEADER);
        if (header == null) {
            return null;
        }
        String text = text(header);
        int slash = text.indexOf('/');
        try {
            int i = Integer.parseInt(text.substring(0, Math.max(0, slash)));
            int n = Integer.parseInt(text.substring(slash + 1));
            return i >= 0 && i < n ? new int[] {i, n} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(Header header) {
        return header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static final class Partial {
        final int n;
        final long firstOffset;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int next;
        long lastOffset;

        Partial(int n, long firstOffset) {
            this.n = n;
            this.firstOffset = firstOffset;
        }

        void append(byte[] slice, long offset) {
            bytes.write(slice, 0, slice.length);
            next++;
            lastOffset = offset;
        }
    }

    private static final class Broken {
        final int n;
        int next;

        Broken(int n, int next) {
            this.n = n;
            this.next = next;
        }
    }
}
