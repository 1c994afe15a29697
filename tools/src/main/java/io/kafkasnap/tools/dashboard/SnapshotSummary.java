package io.kafkasnap.tools.dashboard;

import io.kafkasnap.tools.SnapshotCheck;

import io.kafkasnap.collect.GlobalSnapshot;

/**
 * What the page keeps of one assembled snapshot: enough for the history chart and table, nothing of the states or
 * messages (those are fetched on click).
 *
 * @param toLastFragmentMs from the trigger to the last fragment record (both Kafka timestamps)
 * @param toAssembledMs    from the trigger to the moment this dashboard had it assembled; null for snapshots that
 *                         were already finished when the dashboard started (their assembly time says nothing)
 * @param bytes            the fragments' record values on the collection topic, all chunks
 */
public record SnapshotSummary(long id, String status, String reason, int members, long triggeredAt,
                              long completedAt, long toLastFragmentMs, Long toAssembledMs, long bytes,
                              int inFlight, boolean consistent, int violations, String verdict, boolean ok) {

    static SnapshotSummary of(GlobalSnapshot snapshot, SnapshotCheck.Verdict check, Long toAssembledMs, long bytes) {
        String status = statusName(snapshot);
        int violations = snapshot.consistency().violations().size();
        boolean consistent = snapshot.isComplete() && snapshot.isConsistent();
        String verdict;
        boolean ok;
        if (!snapshot.isComplete()) {
            verdict = status;
            ok = false;
        } else if (!snapshot.consistency().checked()) {
            verdict = "not checked";
            ok = false;
        } else if (violations > 0) {
            verdict = "inconsistent: " + violations + " violation(s)";
            ok = false;
        } else {
            verdict = "consistent";
            ok = true;
        }
        if (check != null) {
            verdict = verdict + "; " + check.text();
            ok = ok && check.ok();
        }
        return new SnapshotSummary(snapshot.snapshot(), status, reason(snapshot), snapshot.members().size(),
                snapshot.triggeredAt(), snapshot.completedAt(), snapshot.completedAt() - snapshot.triggeredAt(),
                toAssembledMs, bytes, snapshot.inFlightMessageCount(), consistent, violations, verdict, ok);
    }

    SnapshotSummary withBytes(long newBytes) {
        return new SnapshotSummary(id, status, reason, members, triggeredAt, completedAt, toLastFragmentMs,
                toAssembledMs, newBytes, inFlight, consistent, violations, verdict, ok);
    }

    /** The wire spelling of the status (complete, failed, timed-out, ...). */
    static String statusName(GlobalSnapshot snapshot) {
        return snapshot.status().wire();
    }

    /** Why the snapshot is not complete, with who and what (the reason code, then the detail); null if complete. */
    static String reason(GlobalSnapshot snapshot) {
        if (snapshot.reason() == null) {
            return null;
        }
        return snapshot.detail().isEmpty() ? snapshot.reason() : snapshot.reason() + ": " + snapshot.detail();
    }
}
