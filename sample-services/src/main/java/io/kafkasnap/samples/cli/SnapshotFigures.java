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

    private final List<Double> millis = new ArrayList<>();
    private final PhaseBreakdown phases = new PhaseBreakdown();

    void add(SnapshotRunner.Taken taken) {
        double ms = taken.elapsed().toNanos() / 1e6;
        millis.add(ms);
        taken.view().ifPresent(view -> phases.add(view, ms));
    }

    /**
     * {@code trigger -> assembled+checked over 12 snapshots: p50 79 ms, p99 700 ms; by phase (median ms): ...};
     * empty before the first snapshot.
     */
    String summary() {
        if (millis.isEmpty()) {
            return "";
        }
        Bench.Latencies latencies = new Bench.Latencies(millis.stream().mapToDouble(Double::doubleValue).toArray());
        String line = String.format(Locale.ROOT, "trigger -> assembled+checked over %d snapshots: p50 %.0f ms,"
                + " p99 %.0f ms", latencies.count(), latencies.percentile(50), latencies.percentile(99));
        Map<String, Double> medians = phases.medians();
        if (!medians.isEmpty()) {
            line += medians.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", ", "; by phase (median ms): ", ""));
        }
        return line;
    }
}
