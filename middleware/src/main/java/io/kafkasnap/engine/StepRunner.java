package io.kafkasnap.engine;

import io.kafkasnap.store.InMemoryNodeStore;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.OutboxEntry;
import io.kafkasnap.store.StoredHeader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Owns the step: everything an event-loop step changes (state, input positions, last applied sequences, protocol
 * progress, recorded records, outbox) collects in the store's batch, and this is the only place that commits it.
 * Sends go to the outbox's sender only after their step committed, so a crash never sends what the state does
 * not reflect, and never loses what it does.
 */
final class StepRunner {

    /** What the step writes beside the handlers' changes, read at each commit. */
    interface Bookkeeping {
        void writeTo(NodeStore store);
    }

    private final NodeStore store;
    private final Outbox outbox;
    private final List<Bookkeeping> bookkeeping;
    private final Supplier<Long> epoch;
    private final List<OutboxEntry> pending = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    /** {@link BrokenVariant#COMMIT_POSITIONS_BEFORE_OUTBOX}: the in-memory store, which can write a batch
     * without its state and outbox. */
    private final InMemoryNodeStore brokenPositionsFirst;
    /** Under that variant: the last step wrote only its positions; the rest of its batch is still pending. */
    private boolean brokenDeferred;

    StepRunner(NodeStore store, Outbox outbox, Supplier<Long> epoch, List<Bookkeeping> bookkeeping) {
        this(store, outbox, epoch, bookkeeping, false);
    }

    StepRunner(NodeStore store, Outbox outbox, Supplier<Long> epoch, List<Bookkeeping> bookkeeping,
               boolean brokenCommitsPositionsFirst) {
        this.store = store;
        this.outbox = outbox;
        this.epoch = epoch;
        this.bookkeeping = List.copyOf(bookkeeping);
        if (brokenCommitsPositionsFirst && !(store instanceof InMemoryNodeStore)) {
            // Broken variants exist for the simulation only, which runs on the in-memory store.
            throw new IllegalStateException("COMMIT_POSITIONS_BEFORE_OUTBOX needs the in-memory store");
        }
        this.brokenPositionsFirst = brokenCommitsPositionsFirst ? (InMemoryNodeStore) store : null;
    }

    /** Appends an app record to the outbox, within this step. */
    void send(String channel, byte[] key, byte[] value) {
        pending.add(store.appendOutbox(channel, key, value, epoch.get(), -1, false));
    }

    /** Appends an app record with the service's own headers to the outbox, within this step. */
    void send(String channel, byte[] key, byte[] value, List<StoredHeader> headers) {
        pending.add(store.appendOutbox(channel, key, value, epoch.get(), -1, false, headers));
    }

    /** Appends a marker of {@code snapshot} to the outbox, within this step. */
    void sendMarker(String channel, long snapshot) {
        pending.add(store.appendOutbox(channel, null, new byte[0], epoch.get(), snapshot, false));
    }

    /** Appends the fence that opens the current epoch on {@code channel}. */
    void sendFence(String channel) {
        pending.add(store.appendOutbox(channel, null, null, epoch.get(), -1, true));
    }

    /** Forgets the sends of this step not yet committed; the caller clears them from the outbox. */
    void discardPending() {
        pending.clear();
    }

    /** Records appended in this step and not yet committed. */
    int pendingSends() {
        return pending.size();
    }

    /** Whether something waits for this step's commit: a fragment to publish, say. */
    boolean hasAfterCommit() {
        return !afterCommit.isEmpty();
    }

    /** Starts a part of the step that can be undone, such as one handler call with its sends. */
    void mark() {
        store.mark();
        marks.push(pending.size());
    }

    void rollback() {
        store.rollbackToMark();
        int size = marks.pop();
        pending.subList(size, pending.size()).clear();
    }

    void release() {
        store.releaseMark();
        marks.pop();
    }

    /** Runs {@code action} on the loop once the step's changes are durable. */
    void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    /**
     * Ends the step: writes the bookkeeping, commits the batch, hands the step's sends to the drainer, then runs what
     * waited for the commit. A capture calls it in the middle of a poll batch, so that it shows the state exactly
     * after the events before it.
     */
    void commit() {
        commit(false);
    }

    /** Ends the step as {@link #commit()} does, before a capture, which must see the whole step committed. */
    void commitBeforeCapture() {
        commit(true);
    }

    private void commit(boolean whole) {
        if (!marks.isEmpty()) {
            throw new IllegalStateException("commit inside a handler's save point");
        }
        bookkeeping.forEach(b -> b.writeTo(store));
        if (brokenPositionsFirst != null && !whole && !brokenDeferred) {
            // The broken order: the positions and dedup state (and the rest of the bookkeeping) are durable now, the
            // state and the outbox a step later (in the else branch of the next commit), and the sends are handed
            // out as if all were durable.
            brokenPositionsFirst.commitAllButStateAndOutbox();
            brokenDeferred = store.hasPendingChanges();
        } else {
            store.commit();
            brokenDeferred = false;
        }
        if (!pending.isEmpty()) {
            List<OutboxEntry> committed = List.copyOf(pending);
            pending.clear();
            outbox.send(committed);
        }
        if (!afterCommit.isEmpty()) {
            List<Runnable> actions = List.copyOf(afterCommit);
            afterCommit.clear();
            actions.forEach(Runnable::run);
        }
    }
}
