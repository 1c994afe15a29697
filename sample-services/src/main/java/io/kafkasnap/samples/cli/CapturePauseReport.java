package io.kafkasnap.samples.cli;

import io.kafkasnap.samples.bench.CaptureBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** {@code bench --state-bytes}: runs {@link CaptureBench} per size and prints the table and the histograms. */
final class CapturePauseReport {

    /** Upper bounds (exclusive) of the histogram's bars, microseconds; the last bar takes the rest. */
    private static final long[] BOUNDS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 100_000};
    private static final int BAR = 50;

    private CapturePauseReport() {
    }

    static void run(CaptureBench bench, List<Long> sizes, int snapshots, double rate, Path stateRoot, PrintWriter out)
            throws InterruptedException {
        out.printf("  capture pause: one node per state size, each handling %s records/s; state under %s%n",
                DemoCommand.fmt(rate), stateRoot);
        out.printf("  filling each node in turn, then %d rounds of one snapshot at each size in turn...%n", snapshots);
        out.flush();
        List<CaptureBench.Result> results = bench.run(sizes, snapshots, rate, 42);
        for (CaptureBench.Result r : results) {
            out.printf(Locale.ROOT, "    %s: %,d keys filled in %.1f s (node start included); snapshots %s%n",
                    human(r.stateBytes()), r.keys(), r.fill().toMillis() / 1e3, r.ended());
        }
        out.printf(Locale.ROOT, "    load average %.2f before the snapshot rounds, %.2f after%n",
                results.get(0).loadBefore(), results.get(0).loadAfter());
        out.println();
        out.printf("(P4) capture pause on the event loop, microseconds (kafkasnap.capture.pause per snapshot)%n");
        out.printf("    %-8s %6s %8s %8s %8s %8s %9s %9s   %-30s %12s%n", "state", "count", "p50", "p90", "p99",
                "max", "p50 ratio", "p99 ratio", "read-out ms p50 / max (n)", "fragment MB");
        Histogram reference = results.get(0).pausesMicros();
        for (CaptureBench.Result r : results) {
            Histogram h = r.pausesMicros();
            List<Double> reads = new ArrayList<>(r.readOutMillis());
            reads.sort(null);
            String readOut = reads.isEmpty() ? "none published"
                    : String.format(Locale.ROOT, "%.0f / %.0f (%d)", reads.get((reads.size() - 1) / 2),
                    reads.get(reads.size() - 1), reads.size());
            out.printf(Locale.ROOT, "    %-8s %6d %8d %8d %8d %8d %9.2f %9.2f   %-30s %12.1f%n",
                    human(r.stateBytes()), h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99), h.getMaxValue(),
                    (double) h.getValueAtPercentile(50) / reference.getValueAtPercentile(50),
                    (double) h.getValueAtPercentile(99) / reference.getValueAtPercentile(99), readOut,
                    r.meanFragmentBytes() / (1 << 20));
        }
        out.printf("    ratios: to the smallest size, measured in the same rounds%n");
        long worst = results.stream().mapToLong(r -> r.pausesMicros().getValueAtPercentile(99)).max().orElse(0);
        out.printf("    goal p99 <= 1 ms at every size: %s (worst p99 %d us)%n", worst <= 1_000 ? "met" : "not met",
                worst);
        if (results.stream().anyMatch(r -> !r.incrementalFragmentBytes().isEmpty())) {
            out.printf("(item 9) fragment bytes, full against incremental (kafkasnap.fragment.bytes per snapshot)%n");
            out.printf("    %-8s %14s %6s %16s %6s %18s%n", "state", "full p50", "n", "incremental p50", "n",
                    "incremental/full");
            for (CaptureBench.Result r : results) {
                long full = median(r.fullFragmentBytes());
                long incremental = median(r.incrementalFragmentBytes());
                out.printf(Locale.ROOT, "    %-8s %,14d %6d %,16d %6d %17.2f%%%n", human(r.stateBytes()), full,
                        r.fullFragmentBytes().size(), incremental, r.incrementalFragmentBytes().size(),
                        full > 0 && incremental >= 0 ? 100.0 * incremental / full : Double.NaN);
            }
            out.printf("    goal: incremental <= 2%% of full with 1%% of the keys changed%n");
        }
        for (CaptureBench.Result r : results) {
            out.printf("  histogram, %s of state%n", human(r.stateBytes()));
            histogram(r.pausesMicros(), out);
        }
        out.flush();
    }

    /** The median of {@code values}, -1 if there are none. */
    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get((sorted.size() - 1) / 2);
    }

    static void histogram(Histogram h, PrintWriter out) {
        long[] counts = new long[BOUNDS.length + 1];
        for (HistogramIterationValue v : h.recordedValues()) {
            int bar = 0;
            while (bar < BOUNDS.length && v.getValueIteratedTo() >= BOUNDS[bar]) {
                bar++;
            }
            counts[bar] += v.getCountAtValueIteratedTo();
        }
        long most = Math.max(1, java.util.Arrays.stream(counts).max().orElse(1));
        for (int bar = 0; bar < counts.length; bar++) {
            String label = bar == BOUNDS.length ? ">= " + BOUNDS[bar - 1]
                    : (bar == 0 ? 0 : BOUNDS[bar - 1]) + "-" + BOUNDS[bar];
            out.printf("    %14s us %5d %s%n", label, counts[bar], "#".repeat((int) (counts[bar] * BAR / most)));
        }
    }

    static String human(long bytes) {
        String[] units = {"B", "KB", "MB", "GB"};
        int unit = 0;
        double value = bytes;
        while (unit < units.length - 1 && value >= 1024) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f%s" : "%.1f%s", value, units[unit]);
    }
}
