package io.kafkasnap.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The outbox column family of a {@link RocksNodeStore}. A step's entries are one RocksDB value, a <em>segment</em>
 * keyed by its first id, written at the commit: a source sending thousands of records a step then costs one put
 * instead of one per record, in the batch's index and in the memtable alike. Until then they wait here, on the heap.
 *
 * <p>The store's save points stay exact: before a save point goes into the batch, the entries appended before its
 * mark are written as a segment of their own ({@link #flushBelow}), so a segment never straddles a mark, and a
 * rollback drops the segments after the save point with the batch and the entries after the mark from the heap.
 * Past a budget of heap bytes the pending entries go into the batch early, so a step that sends a lot needs no heap
 * of its size.
 *
 * <p>A segment is deleted once every entry of it is acknowledged; until then, which of its entries are acknowledged
 * is kept beside it, under its key followed by one byte. Both are written apart from the step, without waiting for
 * the disk, as the deletion of acknowledged entries always was: a crash before them only sends those entries again,
 * and receivers drop the copies by their (epoch, seq) (DESIGN.md, "Durability").
 *
 * <p>A value that does not start with {@link #SEGMENT_TAG} is a single entry, as stores wrote before segments: they
 * are read alike.
 */
final class RocksOutbox {

    /** A segment's value starts with it; a single entry's starts with its channel's length, never negative. */
    static final int SEGMENT_TAG = -2;
    /** The key of a segment's acknowledged entries: the segment's key and one byte, so it sorts right after it. */
    private static final int DROPPED_KEY_LENGTH = 9;

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final WriteBatchWithIndex batch;
    private final ReadOptions readOptions;
    private final WriteOptions unsynced;
    private final long maxPendingBytes;
    /** Each channel's name in UTF-8, encoded once: every entry starts with it. */
    private final Map<String, byte[]> channelBytes = new HashMap<>();
    /** Appended in this step and not yet in the batch; ids consecutive. */
    private final ArrayList<OutboxEntry> pending = new ArrayList<>();
    private long pendingBytes;
    /** Segments written to the batch in this step, {first id, count}, in id order. */
    private final List<long[]> inBatch = new ArrayList<>();
    /** The committed segments by first id. */
    private final TreeMap<Long, Segment> committed = new TreeMap<>();
    /** Acknowledged ids to drop at the next commit, {from, to} each. */
    private final List<long[]> acknowledged = new ArrayList<>();
    /** The committed segments some of whose entries were acknowledged in this commit. */
    private final java.util.Set<Long> touched = new java.util.TreeSet<>();
    /** Whether this step cleared the outbox: the commit then reads the index back from disk. */
    private boolean cleared;
    private long nextId;

    /** A committed segment: how many entries it has and which of them are acknowledged. */
    private static final class Segment {
        final int count;
        BitSet dropped = new BitSet();

        Segment(int count) {
            this.count = count;
        }

        boolean isDropped() {
            return dropped.cardinality() == count;
        }
    }

    /** Where a mark was, to roll back to. */
    record Position(long nextId, int acknowledged, boolean cleared) {
    }

    RocksOutbox(RocksDB db, ColumnFamilyHandle cf, WriteBatchWithIndex batch, ReadOptions readOptions,
                WriteOptions unsynced, long maxPendingBytes) {
        this.db = db;
        this.cf = cf;
        this.batch = batch;
        this.readOptions = readOptions;
        this.unsynced = unsynced;
        this.maxPendingBytes = maxPendingBytes;
        readIndex();
    }

    private void readIndex() {
        committed.clear();
        nextId = 0;
        try (RocksIterator it = db.newIterator(cf, readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long first = ByteBuffer.wrap(it.key()).getLong();
                if (it.key().length == DROPPED_KEY_LENGTH) {
                    Segment segment = committed.get(first);
                    if (segment != null) {
                        segment.dropped = BitSet.valueOf(it.value());
                    }
                    continue;
                }
                int count = count(it.value());
                committed.put(first, new Segment(count));
                nextId = first + count;
            }
        }
    }

    private static int count(byte[] value) {
        ByteBuffer v = ByteBuffer.wrap(value);
        return v.getInt() == SEGMENT_TAG ? v.getInt() : 1;
    }

    long nextId() {
        return nextId;
    }

    Position position() {
        return new Position(nextId, acknowledged.size(), cleared);
    }

    /** Takes {@code entry}, whose id must be {@link #nextId()}; true if the pending entries are past their budget. */
    boolean add(OutboxEntry entry) {
        if (entry.id() != nextId) {
            throw new IllegalStateException("outbox entry " + entry.id() + " appended where " + nextId + " is next");
        }
        pending.add(entry);
        pendingBytes += heapBytes(entry);
        nextId++;
        return pendingBytes > maxPendingBytes;
    }

    /** About what a pending entry holds on the heap: its key and value, and a fixed share for the rest. */
    private static long heapBytes(OutboxEntry entry) {
        return 64 + (entry.key() == null ? 0 : entry.key().length) + (entry.value() == null ? 0 : entry.value().length);
    }

    /** Writes the pending entries with ids below {@code limit} into the batch, as one segment. */
    void flushBelow(long limit) throws RocksDBException {
        int n = 0;
        while (n < pending.size() && pending.get(n).id() < limit) {
            n++;
        }
        if (n == 0) {
            return;
        }
        List<OutboxEntry> entries = pending.subList(0, n);
        // Sized first, then written once into the segment's one array.
        byte[][] channels = new byte[n][];
        List<List<byte[]>> headerKeys = new ArrayList<>(n);
        int[] sizes = new int[n];
        int size = 8;
        for (int i = 0; i < n; i++) {
            OutboxEntry entry = entries.get(i);
            channels[i] = channelBytes.computeIfAbsent(entry.channel(), RocksNodeStore::utf8);
            headerKeys.add(RocksNodeStore.headerKeys(entry.headers()));
            sizes[i] = encodedSize(entry, channels[i], headerKeys.get(i));
            size += 4 + sizes[i];
        }
        RocksNodeStore.Writer segment = new RocksNodeStore.Writer(size).putInt(SEGMENT_TAG).putInt(n);
        for (int i = 0; i < n; i++) {
            encode(segment.putInt(sizes[i]), entries.get(i), channels[i], headerKeys.get(i));
            pendingBytes -= heapBytes(entries.get(i));
        }
        long first = entries.get(0).id();
        batch.put(cf, RocksNodeStore.longBytes(first), segment.toArray());
        inBatch.add(new long[] {first, n});
        entries.clear();
    }

    /** Undoes what came after {@code at} here; the store rolls the batch back to the matching save point. */
    void rollbackTo(Position at) {
        while (!pending.isEmpty() && pending.get(pending.size() - 1).id() >= at.nextId()) {
            pendingBytes -= heapBytes(pending.remove(pending.size() - 1));
        }
        // By id, not by how many there were at the mark: the segment written just before the mark's save point (set
        // lazily, after the mark) holds ids below it and stays in the batch.
        inBatch.removeIf(segment -> segment[0] >= at.nextId());
        acknowledged.subList(at.acknowledged(), acknowledged.size()).clear();
        cleared = at.cleared();
        nextId = at.nextId();
    }

    /** Marks the acknowledged ids in {@code [from, to)} to be dropped at the next commit. */
    void drop(long from, long to) {
        if (from < to) {
            acknowledged.add(new long[] {from, to});
        }
    }

    /**
     * Deletes every entry in the batch, the pending ones too (written first, so that a rollback brings them back).
     * The caller has set the open marks' save points.
     */
    void clear() throws RocksDBException {
        flushBelow(Long.MAX_VALUE);
        List<byte[]> keys = new ArrayList<>();
        try (RocksIterator base = db.newIterator(cf, readOptions);
             RocksIterator it = batch.newIteratorWithBase(cf, base)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                keys.add(it.key());
            }
        }
        for (byte[] key : keys) {
            batch.delete(cf, key);
        }
        cleared = true;
    }

    /** Called with no mark open, before the batch is written: the pending entries go into it. */
    void beforeWrite() throws RocksDBException {
        flushBelow(Long.MAX_VALUE);
    }

    /**
     * Called once the batch is written: the index takes the new segments, and the segments whose every entry is
     * acknowledged are deleted, apart from the step, without waiting for the disk: losing that only sends them again.
     */
    void afterWrite() throws RocksDBException {
        if (cleared) {
            // Ids go on where they were, not from what is left on disk: they never repeat while the node runs.
            long next = nextId;
            readIndex();
            nextId = Math.max(nextId, next);
        } else {
            for (long[] segment : inBatch) {
                committed.put(segment[0], new Segment((int) segment[1]));
            }
        }
        inBatch.clear();
        cleared = false;
        for (long[] range : acknowledged) {
            markDropped(range[0], range[1]);
        }
        acknowledged.clear();
        deleteDroppedSegments();
    }

    private void markDropped(long from, long to) {
        Long start = committed.floorKey(from);
        for (Map.Entry<Long, Segment> e : (start == null ? committed : committed.tailMap(start, true)).entrySet()) {
            long first = e.getKey();
            Segment segment = e.getValue();
            if (first >= to) {
                break;
            }
            long lo = Math.max(from, first);
            long hi = Math.min(to, first + segment.count);
            if (lo < hi) {
                segment.dropped.set((int) (lo - first), (int) (hi - first));
                touched.add(first);
            }
        }
    }

    /**
     * Deletes the leading segments whose every entry is acknowledged, as one range deletion. Acknowledgements come as
     * a prefix, so a dropped segment behind one still in use is rare; it goes once the prefix reaches it.
     */
    private void deleteDroppedSegments() throws RocksDBException {
        long from = -1;
        long to = -1;
        while (!committed.isEmpty() && committed.firstEntry().getValue().isDropped()) {
            long first = committed.pollFirstEntry().getKey();
            if (from < 0) {
                from = first;
            }
            to = first + 1;
        }
        if (from >= 0) {
            // the segments' keys and the keys of their acknowledged entries beside them
            db.deleteRange(cf, unsynced, RocksNodeStore.longBytes(from), RocksNodeStore.longBytes(to));
        }
        for (long first : touched) {
            Segment segment = committed.get(first);
            if (segment != null) {
                db.put(cf, unsynced, droppedKey(first), segment.dropped.toByteArray());
            }
        }
        touched.clear();
    }

    private static byte[] droppedKey(long first) {
        return ByteBuffer.allocate(DROPPED_KEY_LENGTH).putLong(first).put((byte) 0).array();
    }

    /** The committed entries not acknowledged, in id order. */
    List<OutboxEntry> entries() {
        List<OutboxEntry> entries = new ArrayList<>();
        try (RocksIterator it = db.newIterator(cf, readOptions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (it.key().length == DROPPED_KEY_LENGTH) {
                    continue;
                }
                long first = ByteBuffer.wrap(it.key()).getLong();
                Segment segment = committed.get(first);
                ByteBuffer v = ByteBuffer.wrap(it.value());
                if (v.getInt(0) != SEGMENT_TAG) {
                    if (segment == null || !segment.dropped.get(0)) {
                        entries.add(decode(first, v));
                    }
                    continue;
                }
                v.getInt();
                int count = v.getInt();
                for (int i = 0; i < count; i++) {
                    int length = v.getInt();
                    ByteBuffer entry = v.slice(v.position(), length);
                    v.position(v.position() + length);
                    if (segment == null || !segment.dropped.get(i)) {
                        entries.add(decode(first + i, entry));
                    }
                }
            }
        }
        return entries;
    }

    private static int encodedSize(OutboxEntry e, byte[] channel, List<byte[]> headerKeys) {
        return RocksNodeStore.Writer.size(channel) + RocksNodeStore.Writer.size(e.key())
                + RocksNodeStore.Writer.size(e.value()) + 8 + 8 + 8 + 4
                + (headerKeys.isEmpty() ? 0 : 4 + RocksNodeStore.headersSize(headerKeys, e.headers()));
    }

    /** The headers come last, and only when there are any: entries written before headers existed read alike. */
    private static void encode(RocksNodeStore.Writer w, OutboxEntry e, byte[] channel, List<byte[]> headerKeys) {
        w.bytes(channel).bytes(e.key()).bytes(e.value()).putLong(e.epoch()).putLong(e.seq()).putLong(e.marker())
                .putInt(e.fence() ? 1 : 0);
        if (!headerKeys.isEmpty()) {
            w.putInt(headerKeys.size());
            for (int i = 0; i < headerKeys.size(); i++) {
                w.bytes(headerKeys.get(i)).bytes(e.headers().get(i).value());
            }
        }
    }

    private static OutboxEntry decode(long id, ByteBuffer v) {
        String channel = new String(RocksNodeStore.bytes(v), StandardCharsets.UTF_8);
        byte[] key = RocksNodeStore.bytes(v);
        byte[] payload = RocksNodeStore.bytes(v);
        long epoch = v.getLong();
        long seq = v.getLong();
        long marker = v.getLong();
        boolean fence = v.getInt() == 1;
        List<StoredHeader> headers = new ArrayList<>();
        if (v.hasRemaining()) {
            int count = v.getInt();
            for (int i = 0; i < count; i++) {
                headers.add(new StoredHeader(new String(RocksNodeStore.bytes(v), StandardCharsets.UTF_8),
                        RocksNodeStore.bytes(v)));
            }
        }
        return new OutboxEntry(id, channel, key, payload, epoch, seq, marker, fence, headers);
    }

}
