package io.kafkasnap.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * A {@link NodeStore} in memory, with the same step semantics as the RocksDB one: changes are pending until
 * {@link #commit()}, save points undo them, a capture shows the committed state. {@link #crash()} gives the store a
 * process would find after a {@code kill -9}: what was committed, nothing else. For simulations and handler tests.
 */
public final class InMemoryNodeStore implements NodeStore {

    /** The order of the keys' UTF-8 bytes, which is RocksDB's: code point order (String's is UTF-16 order). */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** Everything the store holds; copied whole at each commit and save point (states here are small). */
    private static final class Data {
        final TreeMap<String, byte[]> state = new TreeMap<>(UTF8_ORDER);
        final Map<String, Long> positions = new HashMap<>();
        final Map<String, long[]> applied = new HashMap<>();
        final Map<String, long[]> outSeq = new HashMap<>();
        final TreeSet<Long> inFlight = new TreeSet<>();
        final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
        /** snapshot to (channel, offset) to record. */
        final TreeMap<Long, TreeMap<String, TreeMap<Long, RecordedRecord>>> recorded = new TreeMap<>();
        Long controlPosition;
        long epoch;
        long[] restoredPending;
        long nextOutboxId;
        long awaitingRestore = -1;

        Data copy() {
            Data c = new Data();
            c.state.putAll(state);
            c.positions.putAll(positions);
            applied.forEach((k, v) -> c.applied.put(k, v.clone()));
            outSeq.forEach((k, v) -> c.outSeq.put(k, v.clone()));
            c.inFlight.addAll(inFlight);
            c.outbox.putAll(outbox);
            recorded.forEach((s, channels) -> {
                TreeMap<String, TreeMap<Long, RecordedRecord>> cc = new TreeMap<>();
                channels.forEach((ch, records) -> cc.put(ch, new TreeMap<>(records)));
                c.recorded.put(s, cc);
            });
            c.controlPosition = controlPosition;
            c.epoch = epoch;
            c.restoredPending = restoredPending == null ? null : restoredPending.clone();
            c.nextOutboxId = nextOutboxId;
            c.awaitingRestore = awaitingRestore;
            return c;
        }
    }

    private volatile Data committed;
    private Data working;
    private final Deque<Data> savePoints = new ArrayDeque<>();
    private boolean dirty;
    private boolean closed;

    public InMemoryNodeStore() {
        this(new Data());
    }

    private InMemoryNodeStore(Data committed) {
        this.committed = committed;
        this.working = committed.copy();
    }

    /** The store a restarted process finds after a crash of this one: the committed data only. */
    public InMemoryNodeStore crash() {
        return new InMemoryNodeStore(committed.copy());
    }

    private Data w() {
        if (closed) {
            throw new IllegalStateException("store closed");
        }
        dirty = true;
        return working;
    }

    private Data r() {
        if (closed) {
            throw new IllegalStateException("store closed");
        }
        return working;
    }

    @Override
    public byte[] get(String key) {
        return r().state.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        if (value == null) {
            delete(key);
        } else {
            w().state.put(key, value.clone());
        }
    }

    @Override
    public void delete(String key) {
        w().state.remove(key);
    }

    @Override
    public void forEachState(BiConsumer<String, byte[]> action) {
        new TreeMap<>(r().state).forEach(action);
    }

    @Override
    public void forEachStateWithPrefix(String prefix, BiConsumer<String, byte[]> action) {
        TreeMap<String, byte[]> read = new TreeMap<>(UTF8_ORDER);
        for (Map.Entry<String, byte[]> e : r().state.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            read.put(e.getKey(), e.getValue());
        }
        read.forEach(action);
    }

    @Override
    public void forEachStateInRange(String fromInclusive, String toExclusive, BiConsumer<String, byte[]> action) {
        if (UTF8_ORDER.compare(fromInclusive, toExclusive) >= 0) {
            return;
        }
        new TreeMap<>(r().state.subMap(fromInclusive, true, toExclusive, false)).forEach(action);
    }

    @Override
    public void mark() {
        savePoints.push(r().copy());
    }

    @Override
    public void rollbackToMark() {
        working = savePoints.pop();
    }

    @Override
    public void releaseMark() {
        savePoints.pop();
    }

    @Override
    public void clearState() {
        w().state.clear();
    }

    @Override
    public void putPositions(Map<String, Long> positions) {
        w().positions.putAll(positions);
    }

    @Override
    public Map<String, Long> positions() {
        return new HashMap<>(committed.positions);
    }

    @Override
    public void putApplied(String channel, long epoch, long seq) {
        w().applied.put(channel, new long[] {epoch, seq});
    }

    @Override
    public Map<String, long[]> applied() {
        Map<String, long[]> copy = new HashMap<>();
        committed.applied.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public Map<String, long[]> nextSequences() {
        Map<String, long[]> copy = new HashMap<>();
        committed.outSeq.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public void putControlPosition(long position) {
        w().controlPosition = position;
    }

    @Override
    public OptionalLong controlPosition() {
        Long p = r().controlPosition;
        return p == null ? OptionalLong.empty() : OptionalLong.of(p);
    }

    @Override
    public void putEpoch(long epoch) {
        w().epoch = epoch;
    }

    @Override
    public long epoch() {
        return r().epoch;
    }

    @Override
    public void putRestoredPending(long epoch, long snapshot) {
        w().restoredPending = new long[] {epoch, snapshot};
    }

    @Override
    public void clearRestoredPending() {
        w().restoredPending = null;
    }

    @Override
    public long[] restoredPending() {
        long[] p = committed.restoredPending;
        return p == null ? null : p.clone();
    }

    @Override
    public void putAwaitingRestore(long epoch) {
        w().awaitingRestore = epoch;
    }

    @Override
    public long awaitingRestore() {
        return r().awaitingRestore;
    }

    @Override
    public void putInFlight(long snapshot) {
        w().inFlight.add(snapshot);
    }

    @Override
    public void removeInFlight(long snapshot) {
        w().inFlight.remove(snapshot);
    }

    @Override
    public Set<Long> inFlight() {
        return new TreeSet<>(committed.inFlight);
    }

    @Override
    public OutboxEntry appendOutbox(String channel, byte[] key, byte[] value, long epoch, long marker, boolean fence,
                                    List<StoredHeader> headers) {
        Data d = w();
        long[] next = d.outSeq.get(channel);
        long seq = next != null && next[0] == epoch ? next[1] : 0;
        OutboxEntry entry = new OutboxEntry(d.nextOutboxId++, channel, key, value, epoch, seq, marker, fence,
                headers);
        d.outbox.put(entry.id(), entry);
        d.outSeq.put(channel, new long[] {epoch, seq + 1});
        return entry;
    }

    @Override
    public void deleteOutbox(long id) {
        w().outbox.remove(id);
    }

    @Override
    public void deleteOutboxRange(long fromInclusive, long toExclusive) {
        if (fromInclusive < toExclusive) {
            w().outbox.subMap(fromInclusive, toExclusive).clear();
        }
    }

    @Override
    public void clearOutbox() {
        w().outbox.clear();
    }

    @Override
    public List<OutboxEntry> outbox() {
        return new ArrayList<>(committed.outbox.values());
    }

    @Override
    public void putRecorded(long snapshot, RecordedRecord record) {
        w().recorded.computeIfAbsent(snapshot, s -> new TreeMap<>())
                .computeIfAbsent(record.channel(), c -> new TreeMap<>()).put(record.offset(), record);
    }

    @Override
    public List<RecordedRecord> recorded(long snapshot) {
        List<RecordedRecord> records = new ArrayList<>();
        committed.recorded.getOrDefault(snapshot, new TreeMap<>()).values().forEach(c -> records.addAll(c.values()));
        return records;
    }

    @Override
    public void deleteRecorded(long snapshot) {
        w().recorded.remove(snapshot);
    }

    @Override
    public Set<Long> snapshotsWithRecords() {
        return new TreeSet<>(r().recorded.keySet());
    }

    @Override
    public boolean hasPendingChanges() {
        return dirty;
    }

    /**
     * Writes the pending batch except the application state and the outbox (with the outgoing sequence numbers),
     * which stay pending: input positions and dedup state durable before the step's effects and sends, the wrong
     * order of a broken engine variant that the node simulation must catch. Never used by a real engine.
     */
    public void commitAllButStateAndOutbox() {
        if (!savePoints.isEmpty()) {
            throw new IllegalStateException("commit inside a save point");
        }
        Data next = working.copy();
        next.state.clear();
        next.state.putAll(committed.state);
        next.outbox.clear();
        next.outbox.putAll(committed.outbox);
        next.outSeq.clear();
        committed.outSeq.forEach((k, v) -> next.outSeq.put(k, v.clone()));
        next.nextOutboxId = committed.nextOutboxId;
        committed = next;
    }

    @Override
    public void commit() {
        if (!savePoints.isEmpty()) {
            throw new IllegalStateException("commit inside a save point");
        }
        if (dirty) {
            committed = working.copy();
            dirty = false;
        }
    }

    @Override
    public StateCapture capture() {
        if (dirty) {
            throw new IllegalStateException("capture with uncommitted changes: commit the step first");
        }
        Map<String, byte[]> frozen = Collections.unmodifiableMap(new TreeMap<>(committed.state));
        return new StateCapture() {
            private volatile boolean released;

            @Override
            public void forEach(BiConsumer<String, byte[]> entry) {
                if (released) {
                    throw new IllegalStateException("capture already released");
                }
                frozen.forEach(entry);
            }

            @Override
            public void close() {
                released = true;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
