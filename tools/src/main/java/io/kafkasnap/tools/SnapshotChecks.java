package io.kafkasnap.tools;

import io.kafkasnap.tools.common.SnapshotView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The application checks on the class path ({@link ServiceLoader}), and how the tools apply them. */
public final class SnapshotChecks {

    private final List<SnapshotCheck> checks;

    private SnapshotChecks(List<SnapshotCheck> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The checks that {@code META-INF/services/io.kafkasnap.tools.SnapshotCheck} lists on the class path. */
    public static SnapshotChecks installed() {
        List<SnapshotCheck> found = new ArrayList<>();
        ServiceLoader.load(SnapshotCheck.class, SnapshotChecks.class.getClassLoader()).forEach(found::add);
        return new SnapshotChecks(found);
    }

    public static SnapshotChecks of(SnapshotCheck... checks) {
        return new SnapshotChecks(List.of(checks));
    }

    /** No application check: states, channels and rules 1-3 only. */
    public static SnapshotChecks none() {
        return new SnapshotChecks(List.of());
    }

    public List<SnapshotCheck> all() {
        return checks;
    }

    /**
     * The verdicts of the checks that apply to {@code snapshot}, merged into one (empty when none applies). A check
     * that throws is a failed verdict naming it, never a failed command.
     */
    public Optional<SnapshotCheck.Verdict> check(SnapshotView snapshot) {
        boolean ok = true;
        List<String> summaries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean any = false;
        for (SnapshotCheck check : checks) {
            SnapshotCheck.Verdict verdict;
            try {
                if (!check.appliesTo(snapshot)) {
                    continue;
                }
                verdict = check.check(snapshot);
            } catch (RuntimeException e) {
                verdict = SnapshotCheck.Verdict.failed(check.name() + " check failed",
                        List.of(String.valueOf(e.getMessage())));
            }
            any = true;
            ok &= verdict.ok();
            if (!verdict.summary().isEmpty()) {
                summaries.add(verdict.summary());
            }
            problems.addAll(verdict.problems());
        }
        if (!any) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotCheck.Verdict(ok, String.join("; ", summaries), ok ? List.of() : problems));
    }
}
