package io.kafkasnap.tools;

import io.kafkasnap.tools.common.SnapshotView;
import java.util.List;

/**
 * An application's invariant on assembled snapshots (the bank: money is conserved), shown by the tools beside the
 * library's own verdict (status, rules 1-3). The tools know nothing of any application: a check is found with
 * {@link java.util.ServiceLoader} (list the implementation in {@code META-INF/services/io.kafkasnap.tools.SnapshotCheck}
 * of a jar on the class path) or handed to the dashboard directly. Without one, the tools show states, channels and
 * rules 1-3 only.
 *
 * <p>A check sees the snapshot as its JSON document ({@link SnapshotView}), as an outside tool would; it must not
 * block or talk to Kafka, and may be called from any thread.
 */
public interface SnapshotCheck {

    /**
     * What a check found.
     *
     * @param ok       whether the invariant holds
     * @param summary  what was found, in a few words, for a line or a table cell ({@code money 3000 = 2900 + 100
     *                 in flight})
     * @param problems why it does not hold, one finding each; empty when {@code ok}
     */
    record Verdict(boolean ok, String summary, List<String> problems) {
        public Verdict {
            summary = summary == null ? "" : summary;
            problems = List.copyOf(problems);
        }

        public static Verdict ok(String summary) {
            return new Verdict(true, summary, List.of());
        }

        public static Verdict failed(String summary, List<String> problems) {
            return new Verdict(false, summary, problems);
        }

        /** The summary, then the first findings when it does not hold. */
        public String text() {
            if (ok || problems.isEmpty()) {
                return summary;
            }
            String findings = String.join("; ", problems.subList(0, Math.min(3, problems.size())))
                    + (problems.size() > 3 ? " (+" + (problems.size() - 3) + " more)" : "");
            return summary.isEmpty() ? findings : summary + ": " + findings;
        }
    }

    /** A short name for messages and the dashboard ({@code bank}). */
    String name();

    /**
     * Whether this check is about {@code snapshot}'s group: a snapshot group of another application is left alone
     * (the bank's check applies when every member's state holds a balance).
     */
    boolean appliesTo(SnapshotView snapshot);

    /** Checks a snapshot this applies to; called for complete snapshots and others alike. */
    Verdict check(SnapshotView snapshot);
}
