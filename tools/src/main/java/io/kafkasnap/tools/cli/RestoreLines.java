package io.kafkasnap.tools.cli;

import io.kafkasnap.collect.RestoreHistory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** One line per restore, the same in {@code snapshots list}, {@code show} and {@code watch}. */
final class RestoreLines {

    private RestoreLines() {
    }

    /**
     * {@code restore 812 -> snapshot 42 at 2026-12-01T19:20:03Z: 4/4 members restored in 850 ms}, or the members
     * still missing, or the later restore that superseded it.
     */
    static String line(RestoreHistory.Restore r) {
        StringBuilder line = new StringBuilder(String.format("restore %d -> snapshot %d at %s: %d/%d members restored",
                r.epoch(), r.snapshot(), Instant.ofEpochMilli(r.writtenAt()).truncatedTo(ChronoUnit.SECONDS),
                r.restoredMembers().size(), r.expected().size()));
        if (r.isDone()) {
            line.append(" in ").append(r.duration().orElseThrow().toMillis()).append(" ms");
        } else if (r.supersededBy().isPresent()) {
            line.append(", superseded by restore ").append(r.supersededBy().getAsLong())
                    .append(" (never restored by ").append(String.join(", ", r.missing())).append(')');
        } else {
            line.append(", waiting for ").append(String.join(", ", r.missing()));
        }
        if (r.allowNewMembers()) {
            line.append(" (new members allowed)");
        }
        return line.toString();
    }
}
