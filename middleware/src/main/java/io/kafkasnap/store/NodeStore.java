package io.kafkasnap.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A node's durable store: the application's key-value state, the channel records kept for snapshots, the outbox, and
 * the node's bookkeeping (input positions, the last applied (epoch, seq) per incoming channel, the next sequence
 * number per outgoing channel, the control topic position, the epoch, the snapshots captured but not yet published).
 *
 * <p>Every change collects in one pending batch that reads see. {@link #commit()} writes it atomically and is called
 * by the engine's step runner only, once per step, so a step's effects survive a crash together or not at all. Not
 * thread-safe: the event loop owns it, except {@link StateCapture} and {@link #recorded(long)}, which read committed
 * data only and may run on another thread. RocksDB in production ({@link #open}); {@link InMemoryNodeStore} for
 * simulations and handler tests, where a crash keeps only what was committed.
 */
public interface NodeStore extends AutoCloseable {

    /** Opens or creates a RocksDB store in {@code dir}, with unsynced writes (they survive the process, not the machine). */
    static NodeStore open(Path dir) {
        return RocksNodeStore.openRocks(dir, false);
    }

    /**
     * Opens or creates a RocksDB store in {@code dir}.
     *
     * @param sync whether every commit waits for the write-ahead log to reach the disk, so that a step survives the
     *             loss of the machine too
     * @throws IllegalStateException naming the directory if RocksDB cannot open it (for example, another node
     *                               holds its lock)
     */
    static NodeStore open(Path dir, boolean sync) {
        return RocksNodeStore.openRocks(dir, sync);
    }

    // ---- application state

    byte[] get(String key);

    /** Writes {@code value}; null deletes. */
    void put(String key, byte[] value);

    void delete(String key);

    /** Every committed and pending state entry, in key order. */
    void forEachState(BiConsumer<String, byte[]> action);

    /**
     * Every committed and pending state entry whose key starts with {@code prefix}, in the order of the keys' UTF-8
     * bytes. The entries are read before the first call of {@code action}, which may change the state.
     */
    void forEachStateWithPrefix(String prefix, BiConsumer<String, byte[]> action);

    /**
     * Every committed and pending state entry with {@code fromInclusive <= key < toExclusive} in the order of the
     * keys' UTF-8 bytes, read as {@link #forEachStateWithPrefix} reads.
     */
    void forEachStateInRange(String fromInclusive, String toExclusive, BiConsumer<String, byte[]> action);

    /** Marks the batch so that the changes after it can be undone, e.g. when a handler throws. */
    void mark();

    /** Undoes every change since the matching {@link #mark()}: state, outbox entries and bookkeeping alike. */
    void rollbackToMark();

    void releaseMark();

    /** Drops every state entry, in this step's batch: a restore puts the snapshot's state in its place. */
    void clearState();

    // ---- positions, sequence numbers, epoch

    void putPositions(Map<String, Long> positions);

    /** The committed next-offset-to-process of every channel that has one. */
    Map<String, Long> positions();

    /** The last (epoch, seq) applied from {@code channel}. */
    void putApplied(String channel, long epoch, long seq);

    /** The committed last applied (epoch, seq) of every incoming channel that has one: {@code [epoch, seq]}. */
    Map<String, long[]> applied();

    /** The committed next (epoch, seq) of every outgoing channel that has sent something: {@code [epoch, seq]}. */
    Map<String, long[]> nextSequences();

    void putControlPosition(long position);

    /** The committed next control-topic offset to act on, if this node ever ran. */
    OptionalLong controlPosition();

    void putEpoch(long epoch);

    /** The epoch: 0 until the first restore. */
    long epoch();

    /** Notes that the restore to {@code snapshot} in {@code epoch} is in place and not yet announced. */
    void putRestoredPending(long epoch, long snapshot);

    void clearRestoredPending();

    /** The committed restore not yet announced as {@code restored}: {@code [epoch, snapshot]}, or null. */
    long[] restoredPending();

    /**
     * Notes that this process lost its state after sending in {@code epoch} and waits for a restore of a later epoch;
     * -1 clears it. Kept so that a restart while waiting still waits.
     */
    void putAwaitingRestore(long epoch);

    /** The epoch after which this process waits for a restore, or -1. */
    long awaitingRestore();

    // ---- snapshots in flight

    /** Notes that {@code snapshot} was captured here; until {@link #removeInFlight} a crash means it is lost. */
    void putInFlight(long snapshot);

    void removeInFlight(long snapshot);

    /** The committed snapshots captured and not yet published. */
    Set<Long> inFlight();

    // ---- outbox

    /**
     * Appends a record to send on {@code channel} to this step's batch, with the channel's next sequence number.
     *
     * @param marker the snapshot id for a marker, -1 for an app record
     * @return the entry as it will be sent once the step commits
     */
    default OutboxEntry appendOutbox(String channel, byte[] key, byte[] value, long epoch, long marker,
                                     boolean fence) {
        return appendOutbox(channel, key, value, epoch, marker, fence, List.of());
    }

    /**
     * Appends a record as {@link #appendOutbox(String, byte[], byte[], long, long, boolean)} does, with the service's
     * own headers, which are kept with the entry and sent with it.
     */
    OutboxEntry appendOutbox(String channel, byte[] key, byte[] value, long epoch, long marker, boolean fence,
                             List<StoredHeader> headers);

    /**
     * Drops an acknowledged entry at the next commit; a rollback to an earlier mark takes it back. As with
     * {@link #deleteOutboxRange}, a crash may bring it back: it is then sent again, and receivers drop the copy.
     */
    void deleteOutbox(long id);

    /**
     * Drops the entries with ids in {@code [fromInclusive, toExclusive)}, every one of them acknowledged, at the next
     * commit at the latest. It may be written apart from the step: losing it in a crash only sends those entries
     * again, and receivers drop copies by their (epoch, seq).
     */
    void deleteOutboxRange(long fromInclusive, long toExclusive);

    /** Drops every entry: a restore discards what the old epoch had not sent. */
    void clearOutbox();

    /** The committed outbox, in send order. */
    List<OutboxEntry> outbox();

    // ---- recorded channel records

    void putRecorded(long snapshot, RecordedRecord record);

    /** The committed records kept for {@code snapshot}, by channel then offset. Safe from any thread. */
    List<RecordedRecord> recorded(long snapshot);

    /** Drops the records kept for {@code snapshot}, in this step's batch. */
    void deleteRecorded(long snapshot);

    /** The snapshots that have kept records, committed or pending. */
    Set<Long> snapshotsWithRecords();

    // ---- steps

    /** Whether the batch holds changes not yet committed. */
    boolean hasPendingChanges();

    /** Writes every pending change atomically. Called by the step runner only. */
    void commit();

    /**
     * Freezes the committed state as it now is, O(1) for RocksDB.
     *
     * @throws IllegalStateException if changes are pending: they would be missing from the capture
     */
    StateCapture capture();

    @Override
    void close();
}
