package io.kafkasnap.samples.cli;

import io.kafkasnap.samples.bench.Bench;
import io.kafkasnap.samples.bench.PhaseBreakdown;
import io.kafkasnap.tools.common.SnapshotRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The figure the bench measures, over the snapshots a demo or pipeline run took: trigger written -> assembled and
 * checked snapshot read back ({@link SnapshotRunner.Taken#elapsed()}), with its median and its median phases from the
 * members' timelines, so that what a user sees and what the bench reports can be set side by side.
 */
final class SnapshotFigures {

    /**
     * Snapshots left out at the start, as the bench leaves out its warm-up ones: the first snapshots of a fresh JVM
     * (broker, services and collector just started, nothing compiled yet) take several times as long as the rest.
     */
    static final int WARM_UP = 5;

    private final List<Double> millis = new ArrayList<>();
    private final PhaseBreakdown phases = new PhaseBreakdown();
    private int seen;

    void add(SnapshotRunner.Taken taken) {
        if (seen++ < WARM_UP) {
            return;
        }
        double ms = taken.elapsed().toNanos() / 1e6;
        millis.add(ms);
        taken.view().ifPresent(view -> phases.add(view, ms));
    }

    /**
     * {@code trigger -> assembled+checked over 12 snapshots after 5 warm-up ones: p50 79 ms, p99 700 ms; by phase
     * (median ms): ...}; empty until a snapshot after the warm-up ones.
     */
    String summary() {
        if (millis.isEmpty()) {
            return "";
        }
        Bench.Latencies latencies = new Bench.Latencies(millis.stream().mapToDouble(Double::doubleValue).toArray());
        String line = String.format(Locale.ROOT, "trigger -> assembled+checked over %d snapshots after %d warm-up"
                        + " ones (the bench leaves out its warm-up too): p50 %.0f ms, p99 %.0f ms", latencies.count(),
                WARM_UP, latencies.percentile(50), latencies.percentile(99));
        Map<String, Double> medians = phases.medians();
        if (!medians.isEmpty()) {
            line += medians.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", ", "; by phase (median ms): ", ""));
        }
        return line;
    }

    /** Prints {@link #summary()}, if there is one yet. */
    void print(java.io.PrintWriter out) {
        String summary = summary();
        if (!summary.isEmpty()) {
            out.println(summary);
        }
    }
}
