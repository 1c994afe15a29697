package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafka;
import io.kafkasnap.samples.bench.Bench;
import io.kafkasnap.samples.bench.RestoreBench;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.OptionalBootstrapOptions;
import io.kafkasnap.tools.common.Kafka;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark: middleware throughput and snapshot latency, each next to plain Kafka.",
                "Measures, against one broker in one run (in-JVM unless --bootstrap):",
                "(a) app-record throughput through the middleware (a source node sending to a sink node that counts, "
                        + "no snapshot running) vs. a plain kafka-clients producer/consumer pair doing the same, "
                        + "as a ratio;",
                "(b) trigger-to-assembled snapshot latency p50/p99 for banks of each --services size, next to the "
                        + "broker's plain produce-to-consume latency p50/p99;",
                "(c) restore latency, write -> every member restored, p50/p99, for a bank started on topics that "
                        + "already hold --history-snapshots snapshots over --history-minutes.",
                "Not a test: figures depend on the machine. See docs/benchmarks.md."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    OptionalBootstrapOptions kafka;

    @Option(names = "--records", paramLabel = "N", defaultValue = "200000",
            description = "Records per throughput run (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--record-bytes", paramLabel = "B", defaultValue = "100",
            description = "Value size of each record (default: ${DEFAULT-VALUE}).")
    int recordBytes;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "5",
            description = "Throughput rounds, alternating plain and middleware; the median of each counts, and "
                    + "the median of the rounds' ratios (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "auto|W", defaultValue = "auto",
            description = "Warm-up rounds of full size before the measured ones, each a plain and a middleware run: "
                    + "a number, or auto: at least 2 and at most 10, until plain's rate changes by less than 10%% "
                    + "from one warm-up round to the next (default: ${DEFAULT-VALUE}). The JIT compiles the clients "
                    + "and the broker for seconds; measured before that, plain keeps speeding up round after round.")
    String warmup;

    @Option(names = "--node-setting", paramLabel = "KEY=VALUE",
            description = "A node setting for the throughput run's nodes, e.g. kafkasnap.store.sync=true (repeatable).")
    Map<String, String> nodeSettings = new java.util.LinkedHashMap<>();

    @Option(names = "--snapshots", paramLabel = "K", defaultValue = "100",
            description = "Snapshots per latency run (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Option(names = "--services", paramLabel = "N", split = ",", defaultValue = "3,10",
            description = "Bank sizes for the latency runs (default: ${DEFAULT-VALUE}).")
    List<Integer> services = new ArrayList<>();

    @Option(names = "--topology", paramLabel = "full|ring|random:SEED", defaultValue = "ring",
            description = "Bank topology for the latency runs (default: ${DEFAULT-VALUE}). The assembler reads "
                    + "every channel to check each snapshot, so the latency grows with the channel count: full "
                    + "over 10 services has 90 channels.")
    String topology;

    @CommandLine.Mixin
    RateOption rateOption = new RateOption(50);

    @Option(names = "--latency-samples", paramLabel = "N", defaultValue = "1000",
            description = "Plain produce-to-consume samples (default: ${DEFAULT-VALUE}).")
    int latencySamples;

    @Option(names = "--restores", paramLabel = "R", defaultValue = "9",
            description = "Restores of the restore run (default: ${DEFAULT-VALUE}).")
    int restores;

    @Option(names = "--restore-services", paramLabel = "N", defaultValue = "3",
            description = "Bank size of the restore run (default: ${DEFAULT-VALUE}).")
    int restoreServices;

    @Option(names = "--history-snapshots", paramLabel = "K", defaultValue = "1000",
            description = "Earlier snapshots put on the restore run's topics before the bank starts: a trigger and "
                    + "one fragment per member each, with CreateTime timestamps spread over --history-minutes "
                    + "(default: ${DEFAULT-VALUE}).")
    int historySnapshots;

    @Option(names = "--history-minutes", paramLabel = "M", defaultValue = "11",
            description = "How far back the history reaches (default: ${DEFAULT-VALUE}).")
    int historyMinutes;

    @Option(names = "--skip", paramLabel = "throughput|latency|restore", split = ",",
            description = "Leave out a part.")
    List<String> skip = new ArrayList<>();

    private static void row(PrintWriter out, String label, Bench.Latencies l, Bench.Latencies plain) {
        out.printf("    %-60s %8.1f %8.1f %10.1f %10.1f%n", label, l.percentile(50), l.percentile(99),
                l.percentile(50) / plain.percentile(50), l.percentile(99) / plain.percentile(99));
    }

    @Override
    public Integer call() throws Exception {
        if (records < 1 || recordBytes < 1 || rounds < 1 || snapshots < 1 || latencySamples < 1 || restores < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--records, --record-bytes, --rounds, --snapshots, --latency-samples and --restores must be at"
                            + " least 1");
        }
        if (historySnapshots < 0 || historyMinutes < 0 || restoreServices < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--history-snapshots and --history-minutes"
                    + " must be >= 0 and --restore-services >= 2, got " + historySnapshots + ", " + historyMinutes
                    + ", " + restoreServices);
        }
        for (int n : services) {
            if (n < 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--services sizes must be >= 2, got " + n);
            }
        }
        for (String part : skip) {
            if (!part.equals("throughput") && !part.equals("latency") && !part.equals("restore")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--skip takes throughput, latency or restore, got '" + part + "'");
            }
        }
        if (!warmup.equals("auto")) {
            parseWarmup();
        }
        double rate = rateOption.rate(spec, true);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("kafkasnap bench: %d cores, Java %s, %s; logs: %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Logs.file());
        out.flush();
        Path stateRoot = Files.createTempDirectory("kafkasnap-bench-");
        EmbeddedKafka embedded = null;
        try {
            String servers = kafka.bootstrap().orElse(null);
            if (servers == null) {
                embedded = EmbeddedKafka.builder().build().start();
                servers = embedded.bootstrapServers();
                out.printf("broker: in-JVM KRaft at %s (same JVM as the clients)%n", servers);
            } else {
                out.printf("broker: %s%n", servers);
            }
            out.flush();
            Bench bench = new Bench(kafka.clientProperties(servers),
                    "bench-" + Long.toString(System.currentTimeMillis(), 36) + ".", stateRoot, nodeSettings);
            if (!nodeSettings.isEmpty()) {
                out.printf("node settings of the throughput run: %s%n", nodeSettings);
            }

            if (!skip.contains("throughput")) {
                List<Double> plainRates = new ArrayList<>();
                List<Double> middlewareRates = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                warmUp(bench, out);
                for (int r = 1; r <= rounds; r++) {
                    Bench.Throughput plain = bench.plainThroughput(records, recordBytes);
                    Bench.Throughput middleware = bench.middlewareThroughput(records, recordBytes);
                    double ratio = middleware.perSecond() / plain.perSecond();
                    out.printf("  round %d: plain %,.0f rec/s, middleware %,.0f rec/s, ratio %.2f%n", r,
                            plain.perSecond(), middleware.perSecond(), ratio);
                    out.flush();
                    plainRates.add(plain.perSecond());
                    middlewareRates.add(middleware.perSecond());
                    ratios.add(ratio);
                }
                out.println();
                out.printf("(a) throughput: %,d records of %d B over one single-partition channel, median of %d"
                        + " interleaved rounds (ratio: median of the rounds' ratios; range %.2f-%.2f)%n", records,
                        recordBytes, rounds, ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0));
                out.printf("    %-46s %14s %8s%n", "", "records/s", "ratio");
                out.printf("    %-46s %,14.0f %8s%n", "plain kafka-clients producer -> consumer",
                        median(plainRates), "1.00");
                out.printf("    %-46s %,14.0f %8s%n", "middleware: source node -> sink node",
                        median(middlewareRates), String.format(Locale.ROOT, "%.2f", median(ratios)));
                out.println();
                out.flush();
            }

            if (!skip.contains("latency")) {
                Bench.Latencies plain = bench.plainLatency(latencySamples);
                List<Bench.SnapshotLatencies> runs = new ArrayList<>();
                for (int n : services) {
                    out.printf("  %d snapshots of %d bank services (%s, %s transfers/s each)...%n", snapshots, n,
                            topology, DemoCommand.fmt(rate));
                    out.flush();
                    runs.add(bench.snapshotLatency(n, topology, rate, snapshots, 42));
                }
                out.println();
                out.printf("(b) latency, ms                                                  %8s %8s %10s %10s%n",
                        "p50", "p99", "p50 ratio", "p99 ratio");
                out.printf("    %-60s %8.2f %8.2f %10s %10s%n",
                        "plain produce -> consume (" + plain.count() + " records)", plain.percentile(50),
                        plain.percentile(99), "1.0", "1.0");
                for (Bench.SnapshotLatencies run : runs) {
                    row(out, "snapshot, " + run.services() + " services, " + run.channels()
                            + " channels: trigger -> assembled+checked", run.latencies(), plain);
                    row(out, "  of which trigger -> last fragment (broker time)", run.fragmentsComplete(), plain);
                }
                for (Bench.SnapshotLatencies run : runs) {
                    out.printf("    %d services (%s): %d snapshots, %d not complete/consistent/conserving, "
                                    + "%d transfers recorded in flight%n", run.services(), run.topology(),
                            run.latencies().count(), run.bad(), run.inFlightTotal());
                }
                out.flush();
            }

            if (!skip.contains("restore")) {
                restoreRun(kafka.clientProperties(servers), stateRoot, rate, out);
            }
            return 0;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
            DemoCommand.deleteTree(stateRoot);
        }
    }

    private void restoreRun(Map<String, Object> props, Path stateRoot, double rate, PrintWriter out)
            throws Exception {
        out.printf("  %d restores of %d bank services (ring, %s transfers/s each), on topics holding %d earlier"
                + " snapshots over %d minutes...%n", restores, restoreServices, DemoCommand.fmt(rate), historySnapshots,
                historyMinutes);
        out.flush();
        RestoreBench.Result result = new RestoreBench(props, stateRoot).run(
                "bench-restore-" + Long.toString(System.currentTimeMillis(), 36), restoreServices, historySnapshots,
                java.time.Duration.ofMinutes(historyMinutes), restores, rate, 42);
        result.lines().forEach(line -> out.println("    " + line));
        out.println();
        out.printf("(c) restore, ms (collection topic: %,d records, of which %,d history fragments of %.0f B mean)"
                        + "      %8s %8s%n", result.collectionRecords(), result.historyFragments(),
                result.historyFragmentBytes(), "p50", "p99");
        out.printf("    %-60s %8.0f %8.0f%n", "write -> every member restored (record timestamps)",
                result.restored().percentile(50), result.restored().percentile(99));
        out.printf("    %-60s %8.0f %8.0f%n", "  before that, the writer: check the snapshot, write the record",
                result.writer().percentile(50), result.writer().percentile(99));
        out.flush();
    }

    /** Warm-up rounds until plain's rate levels off (auto) or the given count; prints each. */
    private void warmUp(Bench bench, PrintWriter out) throws InterruptedException {
        boolean auto = warmup.equals("auto");
        int fixed = auto ? 0 : parseWarmup();
        int max = auto ? 10 : fixed;
        double previous = -1;
        for (int w = 1; w <= max; w++) {
            Bench.Throughput plain = bench.plainThroughput(records, recordBytes);
            Bench.Throughput middleware = bench.middlewareThroughput(records, recordBytes);
            double change = previous < 0 ? Double.NaN : Math.abs(plain.perSecond() - previous) / previous;
            out.printf("  warm-up %d: plain %,.0f rec/s, middleware %,.0f rec/s%s%n", w, plain.perSecond(),
                    middleware.perSecond(), Double.isNaN(change) ? ""
                            : String.format(Locale.ROOT, " (plain %+.0f%% on the round before)",
                                    100 * (plain.perSecond() - previous) / previous));
            out.flush();
            if (auto && w >= 2 && change < 0.10) {
                return;
            }
            previous = plain.perSecond();
        }
        if (auto) {
            out.printf("  plain was still changing by 10%% or more after %d warm-up rounds; measuring anyway%n", max);
        }
    }

    private int parseWarmup() {
        try {
            int w = Integer.parseInt(warmup);
            if (w >= 0) {
                return w;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--warmup takes auto or a number of rounds >= 0, got '" + warmup + "'");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
