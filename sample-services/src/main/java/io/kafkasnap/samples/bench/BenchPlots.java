package io.kafkasnap.samples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of what a {@code bench} run measured ({@code bench --plots DIR}): throughput per round, the snapshot
 * latency's distribution, and the one-hop latency's percentiles. Each method writes one file and returns its path.
 */
public final class BenchPlots {

    public static final int WIDTH = 1000;
    public static final int HEIGHT = 560;
    public static final String THROUGHPUT = "throughput-rounds.png";
    public static final String SNAPSHOT_LATENCY = "snapshot-latency-cdf.png";
    public static final String HOP_LATENCY = "hop-latency.png";

    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    static {
        // The bench runs on servers without a display; AWT must not look for one.
        System.setProperty("java.awt.headless", "true");
    }

    private final Path dir;

    public BenchPlots(Path dir) {
        this.dir = dir;
    }

    /**
     * Bars of records/s per measured round, a bar per side; a side whose figures are all NaN (not run) is left out.
     *
     * @param perRound each side's name → its records/s, one per round in order
     */
    public Path throughput(Map<String, double[]> perRound, long records, int recordBytes) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        perRound.forEach((side, rates) -> {
            if (java.util.Arrays.stream(rates).allMatch(Double::isNaN)) {
                return;
            }
            for (int r = 0; r < rates.length; r++) {
                data.addValue(Double.isNaN(rates[r]) ? null : rates[r], side, "round " + (r + 1));
            }
        });
        JFreeChart chart = ChartFactory.createBarChart(String.format(Locale.ROOT,
                        "Throughput per round (%,d records of %d B each run)", records, recordBytes),
                "round", "records/s", data, PlotOrientation.VERTICAL, true, false, false);
        return write(chart, THROUGHPUT);
    }

    /**
     * A CDF per bank size of trigger → assembled+checked and of trigger → last fragment (the broker's part), in ms.
     */
    public Path snapshotLatency(List<Bench.SnapshotLatencies> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Bench.SnapshotLatencies run : runs) {
            data.addSeries(cdf(run.services() + " services: trigger -> assembled+checked", run.latencies()));
            data.addSeries(cdf(run.services() + " services: trigger -> last fragment", run.fragmentsComplete()));
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Snapshot latency, cumulative distribution",
                "latency (ms)", "fraction of snapshots", data, PlotOrientation.VERTICAL, true, false, false);
        return write(chart, SNAPSHOT_LATENCY);
    }

    /** Bars of p50, p90, p99 and p99.9 in ms of each latency series (e.g. plain, hop, timer hop). */
    public Path hopLatency(Map<String, Bench.Latencies> series, double rate) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        series.forEach((name, latencies) -> {
            for (double p : PERCENTILES) {
                data.addValue(latencies.percentile(p), name, "p" + (p == Math.rint(p) ? String.valueOf((int) p)
                        : String.valueOf(p)));
            }
        });
        JFreeChart chart = ChartFactory.createBarChart(String.format(Locale.ROOT,
                        "One-hop latency at %.0f records/s", rate), "percentile", "latency (ms)", data,
                PlotOrientation.VERTICAL, true, false, false);
        return write(chart, HOP_LATENCY);
    }

    private static XYSeries cdf(String name, Bench.Latencies latencies) {
        XYSeries series = new XYSeries(name, true, true);
        double[] sorted = latencies.millis();
        for (int i = 0; i < sorted.length; i++) {
            series.add(sorted[i], (i + 1) / (double) sorted.length);
        }
        return series;
    }

    private Path write(JFreeChart chart, String file) {
        try {
            Files.createDirectories(dir);
            Path path = dir.resolve(file);
            ChartUtils.saveChartAsPNG(path.toFile(), chart, WIDTH, HEIGHT);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chart " + file + " to " + dir, e);
        }
    }
}
