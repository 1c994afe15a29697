package io.kafkasnap.protocol;

/**
 * The only way the protocol acts on the world. The runtime implements it; tests record the calls.
 *
 * <p>Calls happen inside the event that caused them, in this order when a snapshot starts:
 * {@link #recordLocalState} then {@link #sendMarkers}; the runtime must capture the state and enqueue the
 * markers before it processes or sends anything else, which is what makes the cut consistent.
 */
public interface Controller {

    /**
     * Capture the local state as it is between the previous event and the next one. Capture must be O(1)
     * (a store snapshot); reading it out may happen elsewhere and ends with
     * {@link SnapshotProtocol#onLocalStateRecorded(long)}.
     */
    void recordLocalState(long snapshot);

    /**
     * Send a marker for {@code snapshot} on every outgoing channel, before any later app record. Each send
     * is acknowledged with {@link SnapshotProtocol#onMarkerSent(long, String, long)}.
     */
    void sendMarkers(long snapshot);

    /**
     * The marker of {@code snapshot} from {@code channel}, whose sender it waits for, arrived; before the fragment
     * may complete with it. Nothing to do for the protocol's sake: the runtime notes when, for the fragment's timeline.
     */
    default void markerArrived(long snapshot, String channel) {
    }

    /**
     * Asked when this process would record its state for {@code snapshot} while the markers of {@code unmarked}
     * (awaited incoming channels) have not come: true to wait for them first, holding each channel whose marker
     * comes ({@link #holdChannel}), until all have come or the runtime calls {@link SnapshotProtocol#captureNow}.
     * By default the state is recorded at once, as the paper has it.
     */
    default boolean alignFirst(long snapshot, java.util.Set<String> unmarked) {
        return false;
    }

    /**
     * Stop giving this process records of {@code channel}: its next record comes after a marker of a snapshot the
     * process has not recorded its state for. Kept until {@link #releaseChannel}; the position stays after the marker.
     */
    default void holdChannel(String channel) {
        throw new UnsupportedOperationException("this controller cannot hold channel " + channel);
    }

    /** Give this process {@code channel}'s records again, from its position. */
    default void releaseChannel(String channel) {
        throw new UnsupportedOperationException("this controller cannot release channel " + channel);
    }

    /** Keep the incoming app record at {@code offset} of {@code channel} as channel state of {@code snapshot}. */
    void recordChannelRecord(long snapshot, String channel, long offset);

    /** Every part of this process's fragment is known: publish it. */
    void fragmentComplete(LocalSnapshot snapshot);

    /**
     * The protocol refused to take part in {@code snapshot} (for example, too many are in flight): the runtime
     * announces the abort so that every member frees what it holds for it. Nothing was recorded for it here.
     */
    default void abort(long snapshot, AbortReason reason, String detail) {
        throw new UnsupportedOperationException("this controller cannot abort snapshot " + snapshot + ": " + reason);
    }

    /**
     * A marker of {@code snapshot}, triggered before the first snapshot this process takes part in, arrived at
     * {@code offset} of {@code channel}; the protocol ignores it ({@link Rejection#NOT_A_MEMBER}). By default the
     * runtime only logs it, as {@link #rejected}. A runtime that knows this process was a member of it (it read the
     * trigger before a restart, and the restart lost its part) gives it up, so the members need not wait for it.
     */
    default void markerBeforeFirstSnapshot(long snapshot, String channel, long offset, String detail) {
        rejected(Rejection.NOT_A_MEMBER, detail);
    }

    /** An event that the protocol ignores, with why; the runtime logs it. Processing goes on. */
    void rejected(Rejection reason, String detail);
}
