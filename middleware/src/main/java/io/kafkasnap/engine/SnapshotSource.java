package io.kafkasnap.engine;

import io.kafkasnap.format.ControlHistory;

/**
 * Finds a snapshot's fragments for a restore, off the loop (reading the collection topic can take seconds). Ends with
 * {@link NodeEngine#onRestoreTargetLoaded} or {@link NodeEngine#onRestoreTargetFailed}.
 */
public interface SnapshotSource {

    /**
     * Loads the snapshot of the restore at control offset {@code restore.epoch()}; {@code restore} is what the
     * control topic below it says of the snapshot, as the engine read it, so the source need not read it again.
     */
    void load(ControlHistory.RestoreControl restore);
}
