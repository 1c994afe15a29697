package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.kafka.TopicScan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Reads one snapshot's fragments from the collection topic into an assembler, forward from an offset, and stops as
 * soon as every member's fragment is there intact, or at a given end. So the cost is what lies between the start and
 * the snapshot's last fragment, not the topic's length. Notes where the chunk sequence of each member's fragment
 * begins (the one the assembler kept), which a restore record carries so that nodes seek straight there.
 *
 * <p>Given such offsets, it also checks that the record at each one begins the fragment it is said to: key
 * {@code <snapshot>/<process>} and chunk {@code 0/n}. Anything else there (a record of another snapshot, a later
 * chunk, nothing because it was deleted) is a wrong hint, and the scan stops saying so.
 */
final class FragmentScan {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition collection;
    private final long snapshot;
    private final String prefix;
    private final Set<String> members;
    private final Assembler assembler;
    /** Offset of the latest chunk 0 seen per member: where the sequence now being reassembled began. */
    private final Map<String, Long> sequenceStart = new HashMap<>();
    private final Map<String, Long> firstChunks = new TreeMap<>();
    /** Hinted offset to the member whose first chunk must be there; checked off as the scan passes them. */
    private final TreeMap<Long, String> expected = new TreeMap<>();
    private String wrongHint;

    FragmentScan(KafkaConsumer<byte[], byte[]> consumer, String collectionTopic, long snapshot, Set<String> members,
                 Assembler assembler) {
        this.consumer = consumer;
        this.collection = new TopicPartition(collectionTopic, 0);
        this.snapshot = snapshot;
        this.prefix = snapshot + "/";
        this.members = Collections.unmodifiableSortedSet(new java.util.TreeSet<>(members));
        this.assembler = assembler;
    }

    /**
     * Reads from {@code from} below {@code end}, or until every member's fragment is intact.
     *
     * @return whether every member's fragment is intact
     */
    boolean read(long from, long end, Duration timeout) {
        consumer.seek(collection, from);
        TopicScan.readUntil(consumer, collection, end, timeout, this::take);
        return complete();
    }

    /**
     * Reads from the lowest of {@code firstChunks} (each member's first-chunk offset, as a restore record gives them),
     * checking each record at one of them.
     *
     * @return empty if every member's fragment is intact and began where it was said to; else why the offsets cannot be
     *     used (then the caller looks for the fragments the slow way)
     */
    Optional<String> readAt(Map<String, Long> firstChunks, long end, Duration timeout) {
        if (!firstChunks.keySet().equals(members)) {
            return Optional.of("they name " + firstChunks.keySet() + ", the members are " + members);
        }
        firstChunks.forEach((process, offset) -> expected.put(offset, process));
        if (expected.size() != members.size()) {
            return Optional.of("two members are said to begin at one offset: " + firstChunks);
        }
        if (expected.lastKey() >= end) {
            return Optional.of("offsets " + firstChunks.values() + " are not all below the end of " + collection
                    + ", " + end);
        }
        // Records deleted below the topic's start are not asked for first (one request less): seeking there makes the
        // consumer reset to the start or the end, so they are never read and come out below as not found.
        read(expected.firstKey(), end, timeout);
        if (wrongHint != null) {
            return Optional.of(wrongHint);
        }
        if (!expected.isEmpty()) {
            return Optional.of("the records at " + expected.keySet() + " of " + collection + " are gone (deleted by"
                    + " snapshots prune or retention?)");
        }
        return complete() ? Optional.empty()
                : Optional.of("the fragments of " + missing() + " are not intact from there");
    }

    /** Where the fragment the assembler kept of each member began; complete once {@link #read} returned true. */
    Map<String, Long> firstChunks() {
        return Collections.unmodifiableMap(firstChunks);
    }

    private boolean take(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        boolean chunkZero = isChunkZero(record);
        String hinted = expected.remove(record.offset());
        if (hinted != null && !(chunkZero && (prefix + hinted).equals(key))) {
            wrongHint = "the record at offset " + record.offset() + " of " + collection + " is " + describe(key, record)
                    + ", not the first chunk of " + prefix + hinted;
            return true;
        }
        if (key == null || !key.startsWith(prefix)) {
            return false;
        }
        if (chunkZero) {
            sequenceStart.put(key.substring(prefix.length()), record.offset());
        }
        assembler.onFragmentRecord(record);
        for (String process : assembler.intact(snapshot)) {
            firstChunks.putIfAbsent(process, sequenceStart.get(process));
        }
        // With offsets to check, every one of them must have been seen too.
        return complete() && expected.isEmpty();
    }

    private boolean complete() {
        return firstChunks.keySet().containsAll(members);
    }

    private Set<String> missing() {
        Set<String> missing = new java.util.TreeSet<>(members);
        missing.removeAll(firstChunks.keySet());
        return missing;
    }

    private static boolean isChunkZero(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Chunks.CHUNK_HEADER);
        return header != null && header.value() != null
                && new String(header.value(), StandardCharsets.UTF_8).startsWith("0/");
    }

    private static String describe(String key, ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Chunks.CHUNK_HEADER);
        return (key == null ? "without a key" : "key " + key) + ", chunk "
                + (header == null || header.value() == null ? "none" : new String(header.value(), StandardCharsets.UTF_8));
    }
}
