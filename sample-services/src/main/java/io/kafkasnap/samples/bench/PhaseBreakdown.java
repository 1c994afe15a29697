package io.kafkasnap.samples.bench;

import io.kafkasnap.tools.common.SnapshotTimeline;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where the snapshots of a latency run spent their time, phase by phase ({@link SnapshotTimeline#PHASES}), from the
 * timelines their members' fragments carry: the median of each phase over the run's snapshots. Medians of phases do
 * not add up to the median of the whole exactly; each snapshot's phases do add up to its trigger -> assembled+checked.
 */
public final class PhaseBreakdown {

    private final Map<String, List<Double>> byPhase = new LinkedHashMap<>();
    private int withTimeline;
    private int without;

    public PhaseBreakdown() {
        SnapshotTimeline.PHASES.forEach(phase -> byPhase.put(phase, new ArrayList<>()));
    }

    /** Adds one snapshot, read {@code assembledCheckedMs} after its trigger was written. */
    public void add(SnapshotView view, double assembledCheckedMs) {
        var timeline = SnapshotTimeline.of(view);
        if (timeline.isEmpty()) {
            without++;
            return;
        }
        withTimeline++;
        timeline.get().phases(OptionalLong.of(Math.round(assembledCheckedMs)))
                .forEach((phase, ms) -> byPhase.get(phase).add((double) ms));
    }

    /** Phase → its median in ms over the snapshots that had timelines, in phase order; empty when none had. */
    public Map<String, Double> medians() {
        Map<String, Double> medians = new LinkedHashMap<>();
        if (withTimeline == 0) {
            return medians;
        }
        byPhase.forEach((phase, values) -> medians.put(phase, median(values)));
        return medians;
    }

    /** How many snapshots had a timeline from every member. */
    public int snapshots() {
        return withTimeline;
    }

    /** How many did not (a member's fragment without one, or not assembled). */
    public int withoutTimeline() {
        return without;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
