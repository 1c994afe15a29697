package io.kafkasnap.engine;

/**
 * Finds a snapshot's fragments for a restore, off the loop (reading the collection topic can take seconds). Ends with
 * {@link NodeEngine#onRestoreTargetLoaded} or {@link NodeEngine#onRestoreTargetFailed}.
 */
public interface SnapshotSource {

    /** Loads snapshot {@code snapshot} for the restore at control offset {@code epoch}. */
    void load(long epoch, long snapshot);
}
