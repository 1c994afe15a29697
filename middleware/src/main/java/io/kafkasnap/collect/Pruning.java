package io.kafkasnap.collect;

import java.util.List;
import java.util.Map;

/**
 * Tells a snapshot whose fragments were deleted from the collection topic ({@code snapshots prune}, or the topic's
 * own retention) from one whose fragments never came: such a snapshot is {@code pruned}, not {@code timed-out}.
 * Fragments are written after their trigger, so a snapshot that is missing fragments is pruned when the records
 * before the topic's start offset were deleted and the oldest record left is not older than its trigger (less the
 * margin for producers' clocks).
 */
final class Pruning {

    /** Producers' clocks may run behind the broker's; as {@link SnapshotLookup} looks for fragments. */
    static final long CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

    private Pruning() {
    }

    /**
     * @param logStart                 the collection partition's start offset
     * @param firstSurvivingTimestamp  the timestamp of the record at {@code logStart}, or null if none is left
     */
    static boolean wasPruned(GlobalSnapshot snapshot, long logStart, Long firstSurvivingTimestamp) {
        return snapshot.status() == GlobalSnapshot.Status.TIMED_OUT && logStart > 0
                && (firstSurvivingTimestamp == null
                || firstSurvivingTimestamp >= snapshot.triggeredAt() - CLOCK_SKEW_MARGIN_MS);
    }

    static GlobalSnapshot pruned(GlobalSnapshot snapshot, String collectionTopic, long logStart) {
        return new GlobalSnapshot(GlobalSnapshot.VERSION, snapshot.snapshot(), GlobalSnapshot.Status.PRUNED, "pruned",
                "its fragments were deleted from " + collectionTopic + " (records before offset " + logStart
                        + ": snapshots prune, or the topic's retention)",
                snapshot.triggeredAt(), snapshot.completedAt(), snapshot.members(), Map.of(), Map.of(),
                new GlobalSnapshot.Consistency(false, List.of()));
    }
}
