package io.kafkasnap.samples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The throughput rounds of one bench run and their summary. Every ratio is taken within a round (each side against
 * plain of the same round, since the machine's speed drifts between rounds); the summary is the median of the
 * rounds' ratios, beside the median rate of each side.
 */
final class ThroughputRounds {

    /**
     * Records/s of one round; the Kafka Streams figures are NaN when not compared, {@code middlewareSnapshotting}
     * (the middleware with snapshots taken during the run) NaN when not asked for.
     */
    record Round(double plain, double middleware, double streamsAlos, double streamsEos,
                 double middlewareSnapshotting) {
        Round(double plain, double middleware, double streamsAlos, double streamsEos) {
            this(plain, middleware, streamsAlos, streamsEos, Double.NaN);
        }
    }

    private final boolean streams;
    private String snapshotsNote = "";
    private final List<Round> rounds = new ArrayList<>();

    ThroughputRounds(boolean streams) {
        this.streams = streams;
    }

    /** Says how often the snapshotting runs triggered and how many of their snapshots completed. */
    void snapshotsNote(String note) {
        this.snapshotsNote = note;
    }

    /** Adds a measured round; returns its line. */
    String add(Round round) {
        rounds.add(round);
        return describe(round) + String.format(Locale.ROOT, ", ratio %.2f", round.middleware() / round.plain())
                + (Double.isNaN(round.streamsEos()) ? "" : String.format(Locale.ROOT,
                " (streams alos %.2f, eos %.2f; middleware / streams eos %.2f)", round.streamsAlos() / round.plain(),
                round.streamsEos() / round.plain(), round.middleware() / round.streamsEos()));
    }

    static String describe(Round round) {
        String line = String.format(Locale.ROOT, "plain %,.0f rec/s, middleware %,.0f rec/s", round.plain(),
                round.middleware());
        if (!Double.isNaN(round.middlewareSnapshotting())) {
            line += String.format(Locale.ROOT, ", middleware taking snapshots %,.0f rec/s (ratio %.2f)",
                    round.middlewareSnapshotting(), round.middlewareSnapshotting() / round.plain());
        }
        if (!Double.isNaN(round.streamsEos())) {
            line += String.format(Locale.ROOT, ", streams at_least_once %,.0f rec/s, streams exactly_once_v2 "
                    + "%,.0f rec/s", round.streamsAlos(), round.streamsEos());
        }
        return line;
    }

    void print(PrintWriter out, long records, int recordBytes) {
        List<Double> ratios = ratios(Round::middleware);
        out.printf("(a) throughput: %,d records of %d B over one single-partition channel, median of %d"
                        + " interleaved rounds (ratio: median of the rounds' ratios to plain; middleware's range "
                        + "%.2f-%.2f)%n", records, recordBytes, rounds.size(), min(ratios), max(ratios));
        out.printf("    %-62s %14s %8s %12s%n", "", "records/s", "ratio", "range");
        line(out, "plain kafka-clients producer -> consumer", Round::plain);
        line(out, "middleware: source node -> sink node (RocksDB count)", Round::middleware);
        if (rounds.stream().noneMatch(r -> Double.isNaN(r.middlewareSnapshotting()))) {
            line(out, "  the same, taking snapshots during the run" + (snapshotsNote.isEmpty() ? ""
                    : " (" + snapshotsNote + ")"), Round::middlewareSnapshotting);
        }
        if (streams) {
            line(out, "Kafka Streams at_least_once: in -> RocksDB count -> out", Round::streamsAlos);
            line(out, "Kafka Streams exactly_once_v2: in -> RocksDB count -> out", Round::streamsEos);
            List<Double> overEos = new ArrayList<>();
            for (Round round : rounds) {
                overEos.add(round.middleware() / round.streamsEos());
            }
            out.printf(Locale.ROOT, "    middleware / Kafka Streams exactly_once_v2: %.2f (range %.2f-%.2f; "
                            + "goal >= 2: %s)%n", median(overEos), min(overEos), max(overEos),
                    median(overEos) >= 2 ? "met" : "not met");
        }
    }

    private interface Side {
        double rate(Round round);
    }

    private void line(PrintWriter out, String label, Side side) {
        List<Double> rates = new ArrayList<>();
        for (Round round : rounds) {
            rates.add(side.rate(round));
        }
        List<Double> ratios = ratios(side);
        out.printf(Locale.ROOT, "    %-62s %,14.0f %8.2f %12s%n", label, median(rates), median(ratios),
                String.format(Locale.ROOT, "%.2f-%.2f", min(ratios), max(ratios)));
    }

    private List<Double> ratios(Side side) {
        List<Double> ratios = new ArrayList<>();
        for (Round round : rounds) {
            ratios.add(side.rate(round) / round.plain());
        }
        return ratios;
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
