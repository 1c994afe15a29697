package io.kafkasnap.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * The local state frozen at one instant. Taking it is O(1) (a RocksDB snapshot); reading it out costs the
 * state's size and may run on any thread, as often as needed, while the event loop goes on changing the live state.
 * It pins the versions it shows until it is closed.
 */
final class RocksStateCapture implements StateCapture {

    private final RocksDB db;
    private final ColumnFamilyHandle state;
    private final Snapshot snapshot;
    private final StateChanges changes;
    private final long seq;
    private boolean closed;

    RocksStateCapture(RocksDB db, ColumnFamilyHandle state, StateChanges changes) {
        this.db = db;
        this.state = state;
        this.changes = changes;
        this.snapshot = db.getSnapshot();
        this.seq = changes.captured();
    }

    /**
     * Hands every state entry at the instant of capture to {@code entry}, in key order, one at a time: memory stays
     * flat whatever the state's size. May be called again; it sees the same entries.
     */
    @Override
    public synchronized void forEach(BiConsumer<String, byte[]> entry) {
        if (closed) {
            throw new IllegalStateException("capture already released");
        }
        try (ReadOptions options = new ReadOptions().setSnapshot(snapshot);
             RocksIterator it = db.newIterator(state, options)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                entry.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
        }
    }

    /**
     * Looks up, in both captures, the keys written between them when the store knows them ({@link StateChanges});
     * otherwise walks both RocksDB snapshots side by side in key order, so memory stays flat and the cost is one read
     * of each. Either way only what differs is handed on, in key order.
     */
    @Override
    public void forEachChangeSince(StateCapture base, BiConsumer<String, byte[]> changed,
                                   Consumer<String> removed) {
        if (!(base instanceof RocksStateCapture older) || older.db != db) {
            StateCapture.super.forEachChangeSince(base, changed, removed);
            return;
        }
        synchronized (older) {
            synchronized (this) {
                if (closed || older.closed) {
                    throw new IllegalStateException("capture already released");
                }
                Optional<List<byte[]>> written = changes.between(older.seq, seq);
                if (written.isPresent()) {
                    lookUp(older, written.get(), changed, removed);
                    return;
                }
                try (ReadOptions beforeOptions = new ReadOptions().setSnapshot(older.snapshot);
                     ReadOptions afterOptions = new ReadOptions().setSnapshot(snapshot);
                     RocksIterator before = db.newIterator(state, beforeOptions);
                     RocksIterator after = db.newIterator(state, afterOptions)) {
                    before.seekToFirst();
                    after.seekToFirst();
                    while (before.isValid() || after.isValid()) {
                        int order = !before.isValid() ? 1 : !after.isValid() ? -1
                                : Arrays.compareUnsigned(before.key(), after.key());
                        if (order < 0) {
                            removed.accept(new String(before.key(), StandardCharsets.UTF_8));
                            before.next();
                        } else if (order > 0) {
                            changed.accept(new String(after.key(), StandardCharsets.UTF_8), after.value());
                            after.next();
                        } else {
                            byte[] value = after.value();
                            if (!Arrays.equals(before.value(), value)) {
                                changed.accept(new String(after.key(), StandardCharsets.UTF_8), value);
                            }
                            before.next();
                            after.next();
                        }
                    }
                }
            }
        }
    }

    private void lookUp(RocksStateCapture older, List<byte[]> keys, BiConsumer<String, byte[]> changed,
                        Consumer<String> removed) {
        try (ReadOptions beforeOptions = new ReadOptions().setSnapshot(older.snapshot);
             ReadOptions afterOptions = new ReadOptions().setSnapshot(snapshot)) {
            for (byte[] key : keys) {
                byte[] before = db.get(state, beforeOptions, key);
                byte[] after = db.get(state, afterOptions, key);
                if (after == null) {
                    if (before != null) {
                        removed.accept(new String(key, StandardCharsets.UTF_8));
                    }
                } else if (!Arrays.equals(before, after)) {
                    changed.accept(new String(key, StandardCharsets.UTF_8), after);
                }
            }
        } catch (RocksDBException e) {
            throw new StoreException("read of the state changed since snapshot capture " + older.seq, e);
        }
    }

    /** Releases the RocksDB snapshot so compaction may drop the versions it pinned. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            db.releaseSnapshot(snapshot);
            changes.released(seq);
        }
    }
}
