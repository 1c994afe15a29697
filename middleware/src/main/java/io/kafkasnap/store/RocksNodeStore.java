package io.kafkasnap.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Statistics;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * A node's RocksDB. Column families: {@code state} (the application's key-value state), {@code recorded} (channel
 * records kept for snapshots, keyed by snapshot, channel and offset), {@code outbox} (records to send, in order), and
 * the default family for the node's own bookkeeping: input positions, the last applied (epoch, seq) per incoming
 * channel, the next sequence number per outgoing channel, the control topic position, and the snapshots captured
 * but not yet published.
 *
 * <p>Every change collects in one indexed write batch; reads see it. {@link #commit()} writes it atomically and is
 * called by the node's step runner only, once per step, so a step's effects survive a crash together or not at all.
 * The application's state writes of a step are held in a map on the Java side until the commit: a handler that
 * reads and writes the same keys record after record (a counter, an aggregate) then crosses into RocksDB once per
 * key and step, not twice per record, and a save point around a handler that only touches its state costs nothing
 * in the batch (save points are set there lazily, before the first batch write after them).
 * Not thread-safe: the event loop owns it, except {@link StateCapture} and {@link #recorded(long)}, which read
 * committed data only and may run on another thread.
 */
final class RocksNodeStore implements NodeStore {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] STATE_CF = utf8("state");
    private static final byte[] RECORDED_CF = utf8("recorded");
    private static final byte[] OUTBOX_CF = utf8("outbox");
    private static final String POSITION = "position/";
    private static final String APPLIED = "applied/";
    private static final String OUT_SEQ = "outseq/";
    private static final String IN_FLIGHT = "inflight/";
    private static final byte[] CONTROL_POSITION = utf8("control-position");
    private static final byte[] EPOCH = utf8("epoch");
    private static final byte[] RESTORED_PENDING = utf8("restored-pending");
    private static final byte[] AWAITING_RESTORE = utf8("awaiting-restore");
    /** In {@link #stateWrites}: the key is deleted in this step. Compared by identity. */
    private static final byte[] DELETED = new byte[0];
    /** In a mark's undo map: the key had no write in this step before the mark. Compared by identity. */
    private static final byte[] UNWRITTEN = new byte[0];
    /**
     * Past this many bytes of state writes, or of outbox entries, in one step, the rest of the step writes to the native
     * batch: a step that loads a large state (a restore, an application's first step) or sends a lot must not need a
     * heap of its size.
     */
    static final long STEP_HEAP_BYTES = 8L * 1024 * 1024;

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle recorded;
    private final ColumnFamilyHandle outbox;
    private final WriteOptions writeOptions;
    /** For what may be lost with the machine and done again: dropping acknowledged outbox entries. */
    private final WriteOptions unsynced = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final RocksOutbox outboxLog;
    /** {@link #STEP_HEAP_BYTES}, smaller in tests. */
    private final long stepHeapBytes;
    /**
     * Next {epoch, seq} per outgoing channel as the step has it. Written to the batch once per channel at commit,
     * not with every append: a step of thousands of sends on one channel would otherwise write its counter as often.
     */
    private final Map<String, long[]> nextSeq = new HashMap<>();
    private final Set<String> seqDirty = new HashSet<>();
    /** One per open save point: what a rollback to it must restore besides the batch. */
    private final ArrayDeque<Mark> marks = new ArrayDeque<>();
    /** State writes of this step, not yet in the batch: key to value, or {@link #DELETED}. Commit writes them. */
    private final Map<String, byte[]> stateWrites = new HashMap<>();
    private final StateChanges changes = new StateChanges();
    /** Key and value bytes put into {@link #stateWrites} since the commit; only grows, so it over-counts. */
    private long cachedBytes;
    /** Whether a state write of this step went to the batch: reads and iterators must then look there too. */
    private boolean stateInBatch;
    private boolean dirty;
    private boolean closed;

    private RocksNodeStore(DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db, List<ColumnFamilyHandle> handles,
                      boolean sync, long stepHeapBytes) {
        this.stepHeapBytes = stepHeapBytes;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.db = db;
        this.meta = handles.get(0);
        this.state = handles.get(1);
        this.recorded = handles.get(2);
        this.outbox = handles.get(3);
        this.writeOptions = new WriteOptions().setSync(sync);
        this.outboxLog = new RocksOutbox(db, outbox, batch, readOptions, unsynced, stepHeapBytes);
    }

    /** Opens or creates the store in {@code dir}, with unsynced writes (they survive the process, not the machine). */
    static NodeStore openRocks(Path dir) {
        return openRocks(dir, false);
    }

    /**
     * Opens or creates the store in {@code dir}.
     *
     * @param sync whether every commit waits for the write-ahead log to reach the disk, so that a step survives the
     *             loss of the machine too
     * @throws IllegalStateException naming the directory if RocksDB cannot open it (for example, another node
     *                               holds its lock)
     */
    static NodeStore openRocks(Path dir, boolean sync) {
        return openRocks(dir, sync, null);
    }

    /**
     * {@link #openRocks(Path, boolean)} counting RocksDB's reads and writes into {@code statistics} (null: not
     * counted), which the caller owns and closes after the store; lets a test see what an operation read.
     */
    static NodeStore openRocks(Path dir, boolean sync, Statistics statistics) {
        return openRocks(dir, sync, statistics, STEP_HEAP_BYTES);
    }

    /**
     * {@link #openRocks(Path, boolean, Statistics)} holding at most about {@code stepHeapBytes} of a step's state
     * writes, and as much of its outbox entries, on the heap; a test makes it small to see what is past it go to the
     * batch.
     */
    static NodeStore openRocks(Path dir, boolean sync, Statistics statistics, long stepHeapBytes) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        if (statistics != null) {
            dbOptions.setStatistics(statistics);
        }
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(STATE_CF, cfOptions),
                new ColumnFamilyDescriptor(RECORDED_CF, cfOptions),
                new ColumnFamilyDescriptor(OUTBOX_CF, cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new RocksNodeStore(dbOptions, cfOptions, db, handles, sync, stepHeapBytes);
        } catch (RocksDBException | java.io.IOException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IllegalStateException("cannot open the state store in " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---- application state -------------------------------------------------------------------------------

    @Override
    public byte[] get(String key) {
        byte[] written = stateWrites.get(key);
        if (written != null) {
            return written == DELETED ? null : written.clone();
        }
        try {
            return stateInBatch ? batch.getFromBatchAndDB(db, state, readOptions, utf8(key))
                    : db.get(state, readOptions, utf8(key));
        } catch (RocksDBException e) {
            throw new StoreException("read of state key '" + key + "'", e);
        }
    }

    @Override
    public void put(String key, byte[] value) {
        if (value == null) {
            delete(key);
            return;
        }
        writeState(key, value.clone());
    }

    @Override
    public void delete(String key) {
        writeState(key, DELETED);
    }

    private void writeState(String key, byte[] value) {
        Mark mark = marks.peek();
        if (mark != null) {
            if (mark.state == null) {
                mark.state = new HashMap<>();
            }
            byte[] before = stateWrites.get(key);
            mark.state.putIfAbsent(key, before == null ? UNWRITTEN : before);
        }
        if (cachedBytes > stepHeapBytes) {
            // The batch's save points undo this write on a rollback; the undo map above restores the cached one.
            stateWrites.remove(key);
            stateInBatch = true;
            write(() -> {
                if (value == DELETED) {
                    batch.delete(state, utf8(key));
                } else {
                    batch.put(state, utf8(key), value);
                }
            }, "write of state key '" + key + "'");
            return;
        }
        cachedBytes += key.length() + value.length;
        stateWrites.put(key, value);
        dirty = true;
    }

    /** Every committed and pending state entry, in key order. */
    @Override
    public void forEachState(BiConsumer<String, byte[]> action) {
        List<Map.Entry<String, byte[]>> read = new ArrayList<>();
        forEachStateBetween(null, null, (key, value) -> read.add(Map.entry(key, value)));
        read.forEach(e -> action.accept(e.getKey(), e.getValue()));
    }

    /**
     * The state's entries with keys from {@code from} (null: the first) while {@code inside} holds, in key order
     * (RocksDB's: the keys' UTF-8 bytes): what is committed, with this step's writes over it.
     */
    private void forEachStateBetween(byte[] from, java.util.function.Predicate<byte[]> inside,
                                     BiConsumer<String, byte[]> action) {
        List<Map.Entry<byte[], byte[]>> writes = new ArrayList<>();
        stateWrites.forEach((key, value) -> {
            byte[] k = utf8(key);
            if ((from == null || Arrays.compareUnsigned(k, from) >= 0) && (inside == null || inside.test(k))) {
                writes.add(Map.entry(k, value));
            }
        });
        writes.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
        int w = 0;
        try (RocksIterator base = db.newIterator(state, readOptions);
             RocksIterator it = stateInBatch ? batch.newIteratorWithBase(state, base) : base) {
            if (from == null) {
                it.seekToFirst();
            } else {
                it.seek(from);
            }
            while (true) {
                boolean committed = it.isValid() && (inside == null || inside.test(it.key()));
                if (!committed && w == writes.size()) {
                    return;
                }
                byte[] key = committed ? it.key() : null;
                int order = !committed ? 1 : w == writes.size() ? -1
                        : Arrays.compareUnsigned(key, writes.get(w).getKey());
                if (order < 0) {
                    action.accept(new String(key, StandardCharsets.UTF_8), it.value());
                    it.next();
                } else {
                    Map.Entry<byte[], byte[]> write = writes.get(w++);
                    if (write.getValue() != DELETED) {
                        action.accept(new String(write.getKey(), StandardCharsets.UTF_8), write.getValue().clone());
                    }
                    if (order == 0) {
                        it.next();
                    }
                }
            }
        }
    }

    @Override
    public void forEachStateWithPrefix(String prefix, BiConsumer<String, byte[]> action) {
        byte[] p = utf8(prefix);
        List<Map.Entry<String, byte[]>> read = new ArrayList<>();
        forEachStateBetween(p, key -> startsWith(key, p), (key, value) -> read.add(Map.entry(key, value)));
        read.forEach(e -> action.accept(e.getKey(), e.getValue()));
    }

    @Override
    public void forEachStateInRange(String fromInclusive, String toExclusive, BiConsumer<String, byte[]> action) {
        byte[] from = utf8(fromInclusive);
        byte[] to = utf8(toExclusive);
        List<Map.Entry<String, byte[]>> read = new ArrayList<>();
        forEachStateBetween(from, key -> Arrays.compareUnsigned(key, to) < 0,
                (key, value) -> read.add(Map.entry(key, value)));
        read.forEach(e -> action.accept(e.getKey(), e.getValue()));
    }

    /** The counters as of a save point; {@code seq} holds a channel's value from before its first append since. */
    private static final class Mark {
        final RocksOutbox.Position outboxAt;
        Map<String, long[]> seq;
        /** Each state key written since the mark, with its write in this step before it ({@link #UNWRITTEN}: none). */
        Map<String, byte[]> state;
        /** Whether the batch has this mark's save point: set before the first batch write after the mark. */
        boolean savePoint;

        Mark(RocksOutbox.Position outboxAt) {
            this.outboxAt = outboxAt;
        }
    }

    /** Marks the batch so that the changes after it can be undone, e.g. when a handler throws. */
    @Override
    public void mark() {
        marks.push(new Mark(outboxLog.position()));
    }

    /**
     * Sets the save points of the open marks that have none, oldest first: no batch write came after them yet. The
     * outbox entries appended before each go into the batch ahead of its save point.
     */
    private void savePoints() {
        for (java.util.Iterator<Mark> it = marks.descendingIterator(); it.hasNext(); ) {
            Mark mark = it.next();
            if (!mark.savePoint) {
                try {
                    outboxLog.flushBelow(mark.outboxAt.nextId());
                } catch (RocksDBException e) {
                    throw new StoreException("write of outbox entries", e);
                }
                batch.setSavePoint();
                mark.savePoint = true;
            }
        }
    }

    /** Undoes every change since the matching {@link #mark()}: state, outbox entries and bookkeeping alike. */
    @Override
    public void rollbackToMark() {
        Mark mark = marks.pop();
        if (mark.savePoint) {
            try {
                batch.rollbackToSavePoint();
            } catch (RocksDBException e) {
                throw new StoreException("rollback of a failed record's changes", e);
            }
        }
        if (mark.state != null) {
            mark.state.forEach((key, before) -> {
                if (before == UNWRITTEN) {
                    stateWrites.remove(key);
                } else {
                    stateWrites.put(key, before);
                }
            });
        }
        // Outbox ids and sequence numbers handed out after the mark are gone with it; reusing them keeps the outbox
        // and the channels free of holes.
        outboxLog.rollbackTo(mark.outboxAt);
        if (mark.seq != null) {
            mark.seq.forEach((channel, next) -> nextSeq.put(channel, next));
        }
    }

    @Override
    public void releaseMark() {
        Mark mark = marks.pop();
        if (mark.savePoint) {
            try {
                batch.popSavePoint();
            } catch (RocksDBException e) {
                throw new StoreException("release of a save point", e);
            }
        }
        Mark outer = marks.peek();
        if (mark.state != null && outer != null) {
            // the outer mark keeps the older write where it has one
            if (outer.state == null) {
                outer.state = mark.state;
            } else {
                mark.state.forEach(outer.state::putIfAbsent);
            }
        }
        if (mark.seq != null && outer != null) {
            // the outer save point keeps the older value where it has one
            if (outer.seq == null) {
                outer.seq = new HashMap<>();
            }
            mark.seq.forEach(outer.seq::putIfAbsent);
        }
    }

    // ---- positions and sequence numbers ------------------------------------------------------------------

    @Override
    public void putPositions(Map<String, Long> positions) {
        positions.forEach((channel, offset) -> putMeta(POSITION + channel, longBytes(offset),
                "write of the position of " + channel));
    }

    /** The committed next-offset-to-process of every channel that has one. */
    @Override
    public Map<String, Long> positions() {
        Map<String, Long> positions = new HashMap<>();
        forEachMeta(POSITION, (channel, value) -> positions.put(channel, ByteBuffer.wrap(value).getLong()));
        return positions;
    }

    /** The last (epoch, seq) applied from {@code channel}. */
    @Override
    public void putApplied(String channel, long epoch, long seq) {
        putMeta(APPLIED + channel, twoLongs(epoch, seq), "write of the last applied sequence of " + channel);
    }

    /** The committed last applied (epoch, seq) of every incoming channel that has one: {@code [epoch, seq]}. */
    @Override
    public Map<String, long[]> applied() {
        Map<String, long[]> applied = new HashMap<>();
        forEachMeta(APPLIED, (channel, value) -> {
            ByteBuffer b = ByteBuffer.wrap(value);
            applied.put(channel, new long[] {b.getLong(), b.getLong()});
        });
        return applied;
    }

    /** The committed next (epoch, seq) of every outgoing channel that has sent something: {@code [epoch, seq]}. */
    @Override
    public Map<String, long[]> nextSequences() {
        Map<String, long[]> next = new HashMap<>();
        forEachMeta(OUT_SEQ, (channel, value) -> {
            ByteBuffer b = ByteBuffer.wrap(value);
            next.put(channel, new long[] {b.getLong(), b.getLong()});
        });
        return next;
    }

    @Override
    public void putControlPosition(long position) {
        putMeta(CONTROL_POSITION, longBytes(position), "write of the control topic position");
    }

    /** The committed next control-topic offset to act on, if this node ever ran. */
    @Override
    public OptionalLong controlPosition() {
        byte[] value = getMeta(CONTROL_POSITION);
        return value == null ? OptionalLong.empty() : OptionalLong.of(ByteBuffer.wrap(value).getLong());
    }

    @Override
    public void putEpoch(long epoch) {
        putMeta(EPOCH, longBytes(epoch), "write of the epoch");
    }

    /** The committed epoch: 0 until the first restore. */
    @Override
    public long epoch() {
        byte[] value = getMeta(EPOCH);
        return value == null ? 0 : ByteBuffer.wrap(value).getLong();
    }

    /** Drops every state entry, in this step's batch: a restore puts the snapshot's state in its place. */
    @Override
    public void clearState() {
        List<String> keys = new ArrayList<>();
        forEachStateBetween(null, null, (key, value) -> keys.add(key));
        keys.forEach(this::delete);
    }

    /** Notes that the restore to {@code snapshot} in {@code epoch} is in place and not yet announced. */
    @Override
    public void putRestoredPending(long epoch, long snapshot) {
        putMeta(RESTORED_PENDING, twoLongs(epoch, snapshot), "write of a restore to announce");
    }

    @Override
    public void clearRestoredPending() {
        write(() -> batch.delete(meta, RESTORED_PENDING), "delete of an announced restore");
    }

    /** The committed restore not yet announced as {@code restored}: {@code [epoch, snapshot]}, or null. */
    @Override
    public long[] restoredPending() {
        byte[] value = getMeta(RESTORED_PENDING);
        if (value == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        return new long[] {b.getLong(), b.getLong()};
    }

    @Override
    public void putAwaitingRestore(long epoch) {
        putMeta(AWAITING_RESTORE, longBytes(epoch), "write of the epoch a restore is awaited after");
    }

    @Override
    public long awaitingRestore() {
        byte[] value = getMeta(AWAITING_RESTORE);
        return value == null ? -1 : ByteBuffer.wrap(value).getLong();
    }

    // ---- snapshots in flight -----------------------------------------------------------------------------

    /** Notes that {@code snapshot} was captured here; until {@link #removeInFlight} a crash means it is lost. */
    @Override
    public void putInFlight(long snapshot) {
        putMeta(IN_FLIGHT + snapshot, new byte[0], "write of snapshot " + snapshot + " in flight");
    }

    @Override
    public void removeInFlight(long snapshot) {
        write(() -> batch.delete(meta, utf8(IN_FLIGHT + snapshot)), "delete of snapshot " + snapshot + " in flight");
    }

    /** The committed snapshots captured and not yet published. */
    @Override
    public Set<Long> inFlight() {
        Set<Long> snapshots = new TreeSet<>();
        forEachMeta(IN_FLIGHT, (snapshot, value) -> snapshots.add(Long.parseLong(snapshot)));
        return snapshots;
    }

    // ---- outbox ------------------------------------------------------------------------------------------

    /**
     * Appends a record to send on {@code channel} to this step's batch, with the channel's next sequence number.
     *
     * @param marker the snapshot id for a marker, -1 for an app record
     * @return the entry as it will be sent once the step commits
     */
    @Override
    public OutboxEntry appendOutbox(String channel, byte[] key, byte[] value, long epoch, long marker, boolean fence,
                                    List<StoredHeader> headers) {
        long[] next = nextSeq.get(channel);
        if (next == null) {
            try {
                byte[] current = batch.getFromBatchAndDB(db, meta, readOptions, utf8(OUT_SEQ + channel));
                ByteBuffer b = current == null ? null : ByteBuffer.wrap(current);
                next = b == null ? new long[] {epoch, 0} : new long[] {b.getLong(), b.getLong()};
            } catch (RocksDBException e) {
                throw new StoreException("read of the sequence number of " + channel, e);
            }
            nextSeq.put(channel, next);
        }
        // A new epoch numbers every channel from 0 again.
        long seq = next[0] == epoch ? next[1] : 0;
        OutboxEntry entry = new OutboxEntry(outboxLog.nextId(), channel, key, value, epoch, seq, marker, fence,
                headers);
        if (outboxLog.add(entry)) {
            // past the heap budget: into the batch, under the open marks' save points
            write(() -> outboxLog.flushBelow(Long.MAX_VALUE), "append to the outbox of " + channel);
        }
        dirty = true;
        Mark mark = marks.peek();
        if (mark != null) {
            if (mark.seq == null) {
                mark.seq = new HashMap<>();
            }
            mark.seq.putIfAbsent(channel, next.clone());
        }
        next[0] = epoch;
        next[1] = seq + 1;
        seqDirty.add(channel);
        return entry;
    }

    /**
     * Drops the acknowledged entries with ids from {@code fromInclusive} to {@code toExclusive} at the next commit.
     * On disk they go with the last entry of their segment ({@link RocksOutbox}), apart from the step's batch: that
     * is safe because they are in Kafka already, and a crash before it only means sending them again, which
     * receivers drop by their (epoch, seq).
     */
    @Override
    public void deleteOutboxRange(long fromInclusive, long toExclusive) {
        outboxLog.drop(fromInclusive, toExclusive);
        dirty = true;
    }

    /** Drops an acknowledged entry, as {@link #deleteOutboxRange} does. */
    @Override
    public void deleteOutbox(long id) {
        outboxLog.drop(id, id + 1);
        dirty = true;
    }

    /** Drops every entry, in this step's batch: a restore discards what the old epoch had not sent. */
    @Override
    public void clearOutbox() {
        write(outboxLog::clear, "clear of the outbox");
    }

    /** The committed outbox not acknowledged, in send order. */
    @Override
    public List<OutboxEntry> outbox() {
        return outboxLog.entries();
    }

    // ---- recorded channel records ------------------------------------------------------------------------

    @Override
    public void putRecorded(long snapshot, RecordedRecord record) {
        write(() -> batch.put(recorded, recordedKey(snapshot, record.channel(), record.offset()),
                        encodeRecorded(record)),
                "write of a recorded record of " + record.channel() + " for snapshot " + snapshot);
    }

    /** The committed records kept for {@code snapshot}, by channel then offset. Safe from any thread. */
    @Override
    public List<RecordedRecord> recorded(long snapshot) {
        List<RecordedRecord> records = new ArrayList<>();
        byte[] prefix = longBytes(snapshot);
        try (ReadOptions options = new ReadOptions(); RocksIterator it = db.newIterator(recorded, options)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                records.add(decodeRecorded(it.key(), it.value()));
            }
        }
        return records;
    }

    /** Drops the records kept for {@code snapshot}, in this step's batch. */
    @Override
    public void deleteRecorded(long snapshot) {
        byte[] prefix = longBytes(snapshot);
        List<byte[]> keys = new ArrayList<>();
        try (RocksIterator base = db.newIterator(recorded, readOptions);
             RocksIterator it = batch.newIteratorWithBase(recorded, base)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                keys.add(it.key());
            }
        }
        for (byte[] key : keys) {
            write(() -> batch.delete(recorded, key), "delete of the records kept for snapshot " + snapshot);
        }
    }

    /** The snapshots that have kept records, committed or pending. */
    @Override
    public Set<Long> snapshotsWithRecords() {
        Set<Long> snapshots = new TreeSet<>();
        try (RocksIterator base = db.newIterator(recorded, readOptions);
             RocksIterator it = batch.newIteratorWithBase(recorded, base)) {
            for (it.seekToFirst(); it.isValid(); ) {
                long snapshot = ByteBuffer.wrap(it.key()).getLong();
                snapshots.add(snapshot);
                if (snapshot == Long.MAX_VALUE) {
                    break;
                }
                it.seek(longBytes(snapshot + 1));
            }
        }
        return snapshots;
    }

    // ---- steps -------------------------------------------------------------------------------------------

    /** Whether the batch holds changes not yet committed. */
    @Override
    public boolean hasPendingChanges() {
        return dirty;
    }

    /** Writes every pending change atomically. Called by the step runner only. */
    @Override
    public void commit() {
        if (!dirty) {
            return;
        }
        if (!marks.isEmpty()) {
            throw new IllegalStateException("commit with " + marks.size() + " mark(s) open");
        }
        try {
            if (stateInBatch) {
                changes.spilled();
            } else {
                changes.committed(stateWrites.keySet());
            }
            for (Map.Entry<String, byte[]> write : stateWrites.entrySet()) {
                if (write.getValue() == DELETED) {
                    batch.delete(state, utf8(write.getKey()));
                } else {
                    batch.put(state, utf8(write.getKey()), write.getValue());
                }
            }
            stateWrites.clear();
            cachedBytes = 0;
            stateInBatch = false;
            for (String channel : seqDirty) {
                long[] next = nextSeq.get(channel);
                batch.put(meta, utf8(OUT_SEQ + channel), twoLongs(next[0], next[1]));
            }
            seqDirty.clear();
            outboxLog.beforeWrite();
            db.write(writeOptions, batch);
            batch.clear();
            outboxLog.afterWrite();
            dirty = false;
        } catch (RocksDBException e) {
            throw new StoreException("commit of a step", e);
        }
    }

    /**
     * Freezes the committed state as it now is, O(1). The step runner commits first, so the capture shows exactly the
     * state after the events before it.
     *
     * @throws IllegalStateException if changes are pending: they would be missing from the capture
     */
    @Override
    public StateCapture capture() {
        if (dirty) {
            throw new IllegalStateException("capture with uncommitted changes: commit the step first");
        }
        return new RocksStateCapture(db, state, changes);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        batch.close();
        writeOptions.close();
        unsynced.close();
        readOptions.close();
        meta.close();
        state.close();
        recorded.close();
        outbox.close();
        db.close();
        dbOptions.close();
        cfOptions.close();
    }

    // ---- encoding ----------------------------------------------------------------------------------------

    private interface RocksWrite {
        void run() throws RocksDBException;
    }

    private void write(RocksWrite write, String what) {
        try {
            savePoints();
            write.run();
            dirty = true;
        } catch (RocksDBException e) {
            throw new StoreException(what, e);
        }
    }

    private void putMeta(String key, byte[] value, String what) {
        putMeta(utf8(key), value, what);
    }

    private void putMeta(byte[] key, byte[] value, String what) {
        write(() -> batch.put(meta, key, value), what);
    }

    private byte[] getMeta(byte[] key) {
        try {
            return batch.getFromBatchAndDB(db, meta, readOptions, key);
        } catch (RocksDBException e) {
            throw new StoreException("read of " + new String(key, StandardCharsets.UTF_8), e);
        }
    }

    private void forEachMeta(String prefix, BiConsumer<String, byte[]> action) {
        byte[] p = utf8(prefix);
        try (RocksIterator it = db.newIterator(meta, readOptions)) {
            for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
                action.accept(new String(it.key(), p.length, it.key().length - p.length, StandardCharsets.UTF_8),
                        it.value());
            }
        }
    }

    private static byte[] recordedKey(long snapshot, String channel, long offset) {
        byte[] topic = utf8(channel);
        return ByteBuffer.allocate(8 + 4 + topic.length + 8)
                .putLong(snapshot).putInt(topic.length).put(topic).putLong(offset).array();
    }

    private static byte[] encodeRecorded(RecordedRecord r) {
        List<byte[]> headerKeys = headerKeys(r.headers());
        Writer w = new Writer(Writer.size(r.key()) + Writer.size(r.value()) + 8 + 4 + headersSize(headerKeys,
                r.headers()));
        w.bytes(r.key()).bytes(r.value()).putLong(r.timestamp()).putInt(r.headers().size());
        for (int i = 0; i < headerKeys.size(); i++) {
            w.bytes(headerKeys.get(i)).bytes(r.headers().get(i).value());
        }
        return w.toArray();
    }

    static List<byte[]> headerKeys(List<StoredHeader> headers) {
        if (headers.isEmpty()) {
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>(headers.size());
        for (StoredHeader h : headers) {
            keys.add(utf8(h.key()));
        }
        return keys;
    }

    static int headersSize(List<byte[]> keys, List<StoredHeader> headers) {
        int size = 0;
        for (int i = 0; i < keys.size(); i++) {
            size += Writer.size(keys.get(i)) + Writer.size(headers.get(i).value());
        }
        return size;
    }

    private static RecordedRecord decodeRecorded(byte[] storeKey, byte[] storeValue) {
        ByteBuffer k = ByteBuffer.wrap(storeKey);
        k.getLong();
        byte[] topic = new byte[k.getInt()];
        k.get(topic);
        long offset = k.getLong();
        ByteBuffer v = ByteBuffer.wrap(storeValue);
        byte[] key = bytes(v);
        byte[] value = bytes(v);
        long timestamp = v.getLong();
        int headerCount = v.getInt();
        List<StoredHeader> headers = new ArrayList<>(headerCount);
        for (int i = 0; i < headerCount; i++) {
            headers.add(new StoredHeader(new String(bytes(v), StandardCharsets.UTF_8), bytes(v)));
        }
        return new RecordedRecord(new String(topic, StandardCharsets.UTF_8), offset, key, value, headers, timestamp);
    }

    /** Length-prefixed fields, -1 standing for null, into one array of the size worked out beforehand. */
    static final class Writer {
        private final ByteBuffer out;

        Writer(int size) {
            out = ByteBuffer.allocate(size);
        }

        /** The bytes {@link #bytes(byte[])} writes for {@code b}. */
        static int size(byte[] b) {
            return 4 + (b == null ? 0 : b.length);
        }

        Writer bytes(byte[] b) {
            out.putInt(b == null ? -1 : b.length);
            if (b != null) {
                out.put(b);
            }
            return this;
        }

        Writer putInt(int i) {
            out.putInt(i);
            return this;
        }

        Writer putLong(long l) {
            out.putLong(l);
            return this;
        }

        byte[] toArray() {
            if (out.hasRemaining()) {
                throw new IllegalStateException("encoded " + out.position() + " of " + out.capacity() + " bytes");
            }
            return out.array();
        }
    }

    static byte[] bytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private static byte[] twoLongs(long a, long b) {
        return ByteBuffer.allocate(16).putLong(a).putLong(b).array();
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
