package io.kafkasnap.store;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * The local state frozen at one instant. Taking it is O(1) (a RocksDB snapshot); reading it out costs the
 * state's size and may run on any thread while the event loop goes on changing the live state.
 */
public final class StateCapture implements AutoCloseable {

    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final Snapshot snapshot;
    private boolean closed;

    StateCapture(RocksDB db, ColumnFamilyHandle state) {
        this.db = db;
        this.state = state;
        this.snapshot = db.getSnapshot();
    }

    /** Every state entry at the instant of capture, in key order. */
    public synchronized Map<String, byte[]> readAll() {
        if (closed) {
            throw new IllegalStateException("capture already released");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
             RocksIterator it = db.newIterator(state, options)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                entries.put(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
        }
        return entries;
    }

    /** Releases the RocksDB snapshot so compaction may drop the versions it pinned. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            db.releaseSnapshot(snapshot);
        }
    }
}
