package io.kafkasnap.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * A node's RocksDB: column family {@code state} (the application's key-value state), {@code recorded} (channel
 * records kept for snapshots, keyed by snapshot, channel and offset) and the default family for metadata
 * (input positions).
 *
 * <p>Changes collect in one indexed write batch and reach the database together at {@link #commit()}, once per
 * event-loop step; reads see the batch. Not thread-safe: the event loop owns it, except {@link StateCapture}.
 */
public final class NodeStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte[] STATE_CF = "state".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RECORDED_CF = "recorded".getBytes(StandardCharsets.UTF_8);
    private static final String POSITION_PREFIX = "position/";

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private final ColumnFamilyHandle state;
    private final ColumnFamilyHandle recorded;
    private final WriteOptions writeOptions = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private boolean dirty;

    private NodeStore(DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db, List<ColumnFamilyHandle> handles) {
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.db = db;
        this.meta = handles.get(0);
        this.state = handles.get(1);
        this.recorded = handles.get(2);
    }

    /**
     * Opens or creates the store in {@code dir}.
     *
     * @throws IllegalStateException naming the directory if RocksDB cannot open it (for example, another node
     *                               holds its lock)
     */
    public static NodeStore open(Path dir) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(STATE_CF, cfOptions),
                new ColumnFamilyDescriptor(RECORDED_CF, cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            return new NodeStore(dbOptions, cfOptions, db, handles);
        } catch (RocksDBException | java.io.IOException e) {
            dbOptions.close();
            cfOptions.close();
            throw new IllegalStateException("cannot open the state store in " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---- application state -------------------------------------------------------------------------------

    public byte[] get(String key) {
        try {
            return batch.getFromBatchAndDB(db, state, readOptions, utf8(key));
        } catch (RocksDBException e) {
            throw new StoreException("read of state key '" + key + "'", e);
        }
    }

    public void put(String key, byte[] value) {
        if (value == null) {
            delete(key);
            return;
        }
        write(() -> batch.put(state, utf8(key), value), "write of state key '" + key + "'");
    }

    public void delete(String key) {
        write(() -> batch.delete(state, utf8(key)), "delete of state key '" + key + "'");
    }

    /** Every committed and pending state entry, in key order. */
    public void forEachState(BiConsumer<String, byte[]> action) {
        try (RocksIterator base = db.newIterator(state, readOptions);
             RocksIterator it = batch.newIteratorWithBase(state, base)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                action.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
        }
    }

    /** Marks the batch so that the changes after it can be undone, e.g. when a handler throws. */
    public void mark() {
        batch.setSavePoint();
    }

    public void rollbackToMark() {
        try {
            batch.rollbackToSavePoint();
        } catch (RocksDBException e) {
            throw new StoreException("rollback of a failed record's changes", e);
        }
    }

    public void releaseMark() {
        try {
            batch.popSavePoint();
        } catch (RocksDBException e) {
            throw new StoreException("release of a save point", e);
        }
    }

    // ---- positions ---------------------------------------------------------------------------------------

    public void putPositions(Map<String, Long> positions) {
        positions.forEach((channel, offset) -> write(
                () -> batch.put(meta, utf8(POSITION_PREFIX + channel), longBytes(offset)),
                "write of the position of " + channel));
    }

    /** The committed next-offset-to-process of every channel that has one. */
    public Map<String, Long> positions() {
        Map<String, Long> positions = new HashMap<>();
        byte[] prefix = utf8(POSITION_PREFIX);
        try (RocksIterator it = db.newIterator(meta, readOptions)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                String channel = new String(it.key(), prefix.length, it.key().length - prefix.length,
                        StandardCharsets.UTF_8);
                positions.put(channel, ByteBuffer.wrap(it.value()).getLong());
            }
        }
        return positions;
    }

    // ---- recorded channel records ------------------------------------------------------------------------

    public void putRecorded(long snapshot, String channel, long offset, byte[] key, byte[] value) {
        write(() -> batch.put(recorded, recordedKey(snapshot, channel, offset), encodeRecord(key, value)),
                "write of a recorded record of " + channel + " for snapshot " + snapshot);
    }

    /** The committed records kept for {@code snapshot}, by channel then offset. */
    public List<RecordedRecord> recorded(long snapshot) {
        List<RecordedRecord> records = new ArrayList<>();
        byte[] prefix = longBytes(snapshot);
        try (RocksIterator it = db.newIterator(recorded, readOptions)) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                records.add(decodeRecord(it.key(), it.value()));
            }
        }
        return records;
    }

    /** Drops the records kept for {@code snapshot} at once (not through the batch): its fragment is out. */
    public void deleteRecorded(long snapshot) {
        try {
            db.deleteRange(recorded, longBytes(snapshot), longBytes(snapshot + 1));
        } catch (RocksDBException e) {
            throw new StoreException("delete of the records kept for snapshot " + snapshot, e);
        }
    }

    /**
     * Drops every kept record. A node does not resume a recording across a restart (its snapshots in flight are
     * reported timed-out), so what a previous run kept for them is garbage.
     */
    public void deleteAllRecorded() {
        try {
            db.deleteRange(recorded, longBytes(0), longBytes(Long.MAX_VALUE));
        } catch (RocksDBException e) {
            throw new StoreException("delete of the records kept by a previous run", e);
        }
    }

    // ---- steps -------------------------------------------------------------------------------------------

    /** Writes every pending change atomically. */
    public void commit() {
        if (!dirty) {
            return;
        }
        try {
            db.write(writeOptions, batch);
            batch.clear();
            dirty = false;
        } catch (RocksDBException e) {
            throw new StoreException("commit of a step", e);
        }
    }

    /** Commits what is pending, then freezes the state as it now is. */
    public StateCapture capture() {
        commit();
        return new StateCapture(db, state);
    }

    @Override
    public void close() {
        batch.close();
        writeOptions.close();
        readOptions.close();
        meta.close();
        state.close();
        recorded.close();
        db.close();
        dbOptions.close();
        cfOptions.close();
    }

    private interface RocksWrite {
        void run() throws RocksDBException;
    }

    private void write(RocksWrite write, String what) {
        try {
            write.run();
            dirty = true;
        } catch (RocksDBException e) {
            throw new StoreException(what, e);
        }
    }

    private static byte[] recordedKey(long snapshot, String channel, long offset) {
        byte[] topic = utf8(channel);
        return ByteBuffer.allocate(8 + 4 + topic.length + 8)
                .putLong(snapshot).putInt(topic.length).put(topic).putLong(offset).array();
    }

    private static byte[] encodeRecord(byte[] key, byte[] value) {
        int keyLength = key == null ? -1 : key.length;
        int valueLength = value == null ? -1 : value.length;
        ByteBuffer buffer = ByteBuffer.allocate(8 + Math.max(0, keyLength) + Math.max(0, valueLength));
        buffer.putInt(keyLength);
        if (key != null) {
            buffer.put(key);
        }
        buffer.putInt(valueLength);
        if (value != null) {
            buffer.put(value);
        }
        return buffer.array();
    }

    private static RecordedRecord decodeRecord(byte[] storeKey, byte[] storeValue) {
        ByteBuffer k = ByteBuffer.wrap(storeKey);
        k.getLong();
        byte[] topic = new byte[k.getInt()];
        k.get(topic);
        long offset = k.getLong();
        ByteBuffer v = ByteBuffer.wrap(storeValue);
        return new RecordedRecord(new String(topic, StandardCharsets.UTF_8), offset, bytes(v), bytes(v));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
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
