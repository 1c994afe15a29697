package io.kafkasnap.samples.dashboard;

import io.kafkasnap.collect.GlobalSnapshot;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;

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

    /**
     * The wire spelling of the status (complete, timed-out, ...), derived from the enum constant so that statuses
     * added to the model later show up without a change here.
     */
    static String statusName(GlobalSnapshot snapshot) {
        Object status = snapshot.status();
        if (status instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return String.valueOf(status).toLowerCase(Locale.ROOT);
    }

    /**
     * The snapshot's reason (why it failed or timed out) when the snapshot model carries one; looked up by name
     * because older models have none, and the dashboard must work with both.
     */
    static String reason(GlobalSnapshot snapshot) {
        try {
            Method method = snapshot.getClass().getMethod("reason");
            Object value = method.invoke(snapshot);
            if (value instanceof Optional<?> optional) {
                value = optional.orElse(null);
            }
            return value == null || value.toString().isEmpty() ? null : value.toString();
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no reason in this model, or one that cannot be read: the table shows none
            return null;
        }
    }
}
