package io.kafkasnap.api;

/**
 * A restore this node has just applied, as its {@link RestoreListener} is told.
 *
 * @param snapshot the snapshot rolled back to
 * @param epoch    the epoch the node runs in from now on: the control offset of the restore record
 * @param part     this node's part in it
 */
public record Restore(long snapshot, long epoch, Part part) {

    /** A node's part in a restore, decided from the control topic alike at every node. */
    public enum Part {
        /** A member of the snapshot: its state in the snapshot is back in place. */
        MEMBER,
        /** Joined after the snapshot, and the restore allows new members: its state is the initial one (onStart). */
        NEW_MEMBER,
        /** Neither (joined after the restore, or was away from the snapshot to the restore): it kept its own state. */
        OUTSIDER
    }
}
