package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.samples.bench.Bench;
import io.kafkasnap.samples.bench.BenchPlots;
import io.kafkasnap.samples.bench.CaptureBench;
import io.kafkasnap.samples.bench.MemorySample;
import io.kafkasnap.samples.bench.RestoreBench;
import io.kafkasnap.samples.bench.SnapshotWarmup;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.OptionalBootstrapOptions;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotTimeline;
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
        description = {"Benchmark: middleware throughput and latencies, each next to plain Kafka.",
                "Measures, against one broker in one run (in-JVM unless --bootstrap):",
                "(a) app-record throughput through the middleware (a source node sending to a sink node that counts, "
                        + "no snapshot running) vs. a plain kafka-clients producer/consumer pair doing the same, "
                        + "as a ratio; with --compare kafka-streams also a Kafka Streams app (RocksDB count, "
                        + "at_least_once and exactly_once_v2) in the same rounds;",
                "(b) latency through one node hop (node A's handler sends --hop-rate records/s, node B's handler "
                        + "receives them; outbox on; also from A's timer) p50/p99 next to plain produce-to-consume at "
                        + "the same rate, "
                        + "and with --compare kafka-streams the Streams app's produce-to-consume latency;",
                "(c) trigger-to-assembled snapshot latency p50/p99 for banks of each --services size (and each "
                        + "--channels count), or with --shape pipeline for the pipeline sample beside Flink's figure, "
                        + "next to the broker's plain produce-to-consume latency p50/p99 (one record at a time); and "
                        + "the JVM's heap and RSS per node and per channel while each ran;",
                "(d) restore latency, write -> every member restored, p50/p99, for a bank started on topics that "
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
            description = "Throughput rounds, each a plain run, a middleware run and, with --compare "
                    + "kafka-streams, a Kafka Streams at_least_once and an exactly_once_v2 run; the median of "
                    + "each side's rates counts, and the median of the rounds' ratios (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "auto|W", defaultValue = "auto",
            description = "Warm-up rounds of full size before the measured ones, each like a measured round: "
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

    @Option(names = "--snapshot-warmup", paramLabel = "auto|K", defaultValue = "auto",
            description = "Snapshots taken before each latency run's counted ones: a number, or auto: batches of "
                    + "10, at least 2 and at most 6, until a batch's median trigger -> last fragment is no longer "
                    + "10%% below the batch before (default: ${DEFAULT-VALUE}). A bank of 50 services keeps getting "
                    + "faster for tens of seconds; one of 3 is warm after a few snapshots.")
    String snapshotWarmup;

    @Option(names = "--services", paramLabel = "N", split = ",", defaultValue = "3,10",
            description = "Bank sizes for the snapshot-latency runs (default: ${DEFAULT-VALUE}).")
    List<Integer> services = new ArrayList<>();

    @Option(names = "--topology", paramLabel = "full|ring|random:SEED", defaultValue = "ring",
            description = "Bank topology for the snapshot-latency runs (default: ${DEFAULT-VALUE}). The assembler "
                    + "reads every channel to check each snapshot, so the latency grows with the channel count: full "
                    + "over 10 services has 90 channels.")
    String topology;

    @Option(names = "--channels", paramLabel = "C", split = ",",
            description = "With --topology random:SEED: channel counts for the snapshot-latency runs, each run with "
                    + "random:SEED:C (the seeded ring plus seeded edges up to C channels in all), for every --services "
                    + "size; two or more give the memory cost of one more channel, e.g. --services 50 --channels "
                    + "100,150,200.")
    List<Integer> channels = new ArrayList<>();

    @Option(names = "--shape", paramLabel = "bank|pipeline", defaultValue = "bank",
            description = "What the snapshot-latency runs snapshot (default: ${DEFAULT-VALUE}): bank, banks of each "
                    + "--services size on --topology; pipeline, the pipeline sample (source -> 2 workers -> sink, "
                    + "the source producing the --rate in items/s), beside Flink's in-memory figure on that shape.")
    String shape;

    @CommandLine.Mixin
    RateOption rateOption = new RateOption(50);

    @Option(names = "--latency-samples", paramLabel = "N", defaultValue = "1000",
            description = "Samples of each latency figure: plain produce-to-consume (one at a time, and at "
                    + "--hop-rate), one node hop, Kafka Streams; after a warm-up that is not counted "
                    + "(default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--hop-rate", paramLabel = "RECORDS_PER_S", defaultValue = "200",
            description = "Fixed rate of the one-hop latency runs, the plain and Kafka Streams ones beside them "
                    + "included; the first second of each is warm-up, and one plain and one hop run before them "
                    + "are not counted (default: ${DEFAULT-VALUE}).")
    double hopRate;

    @Option(names = "--snapshot-every", paramLabel = "MS", defaultValue = "0",
            description = "Also run the middleware with a snapshot triggered every MS milliseconds during the "
                    + "run, in every throughput round, beside the run without (0: not; the goal's figure is 1000).")
    long snapshotEveryMs;

    @Option(names = "--state-bytes", paramLabel = "SIZE", split = ",",
            description = "Measure only the event loop's capture pause (goal P4), once per state size, e.g. "
                    + "1MB,10MB,100MB,1GB (B, KB, MB, GB; powers of 1024): a node's state is filled with 1 KB values "
                    + "through its state API, then --capture-snapshots snapshots are taken while it handles a "
                    + "stream of --capture-rate records/s. The other parts do not run.")
    List<String> stateBytes = new ArrayList<>();

    @Option(names = "--capture-snapshots", paramLabel = "K", defaultValue = "50",
            description = "Snapshots per state size of --state-bytes (default: ${DEFAULT-VALUE}).")
    int captureSnapshots;

    @Option(names = "--full-every", paramLabel = "N", defaultValue = "1",
            description = "With --state-bytes: the nodes' kafkasnap.fragment.full.every, every how many fragments one "
                    + "is full (default: ${DEFAULT-VALUE}, every one).")
    int fullEvery;

    @Option(names = "--changed-percent", paramLabel = "P", defaultValue = "0",
            description = "With --state-bytes: before every snapshot but the first, each node rewrites P percent of "
                    + "its keys, so that incremental fragments (--full-every above 1) have something to carry "
                    + "(default: ${DEFAULT-VALUE}).")
    double changedPercent;

    @Option(names = "--capture-rate", paramLabel = "RECORDS_PER_S", defaultValue = "1000",
            description = "Records/s the node handles while the snapshots of --state-bytes are taken "
                    + "(default: ${DEFAULT-VALUE}).")
    double captureRate;

    @Option(names = "--compare", paramLabel = "kafka-streams",
            description = "Also run the same records through a Kafka Streams app (a RocksDB count, "
                    + "at_least_once and exactly_once_v2, Kafka Streams' defaults otherwise) on the same broker, "
                    + "in every throughput round and in the hop-latency part.")
    String compare;

    @Option(names = "--skip", paramLabel = "throughput|latency|hop|snapshots|restore", split = ",",
            description = "Leave out a part: throughput, latency (both hop and snapshots), hop (the one-hop "
                    + "latency), snapshots (the snapshot latency) or restore (the restore latency).")
    List<String> skip = new ArrayList<>();

    @Option(names = "--plots", paramLabel = "DIR",
            description = "Also write PNG charts of what the run measured to DIR: throughput per round, the "
                    + "snapshot latency's distribution, the one-hop latency's percentiles.")
    Path plotsDir;

    private BenchPlots plots() {
        return plotsDir == null ? null : new BenchPlots(plotsDir);
    }

    private static final List<String> PARTS = List.of("throughput", "latency", "hop", "snapshots", "restore");

    private static void row(PrintWriter out, String label, Bench.Latencies l, Bench.Latencies plain) {
        out.printf("    %-66s %8.1f %8.1f %10.1f %10.1f%n", label, l.percentile(50), l.percentile(99),
                l.percentile(50) / plain.percentile(50), l.percentile(99) / plain.percentile(99));
    }

    /** A table's title line with the column heads of {@link #row}. */
    private static void heads(PrintWriter out, String title) {
        out.printf("%-70s %8s %8s %10s %10s%n", title, "p50", "p99", "p50 ratio", "p99 ratio");
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
            if (!PARTS.contains(part)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--skip takes throughput, latency, hop, snapshots or restore, got '" + part + "'");
            }
        }
        if (snapshotEveryMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--snapshot-every must be 0 (no snapshots) or a number of milliseconds, got " + snapshotEveryMs);
        }
        if (!shape.equals("bank") && !shape.equals("pipeline")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--shape takes bank or pipeline, got '" + shape + "'");
        }
        if (!channels.isEmpty() && !(shape.equals("bank") && topology.matches("random:-?\\d+"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--channels needs --shape bank and "
                    + "--topology random:SEED (the channel count goes after the seed), got --shape " + shape
                    + " --topology " + topology);
        }
        for (int n : services) {
            for (int c : channels) {
                try {
                    io.kafkasnap.samples.bank.BankTopology.parse(topology + ":" + c, n);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--channels " + c + " with "
                            + "--services " + n + ": " + e.getMessage());
                }
            }
        }
        if (compare != null && !compare.equals("kafka-streams")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--compare takes kafka-streams, got '" + compare + "'");
        }
        if (!(hopRate > 0) || Double.isInfinite(hopRate)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--hop-rate must be a positive number of records/s, got " + hopRate);
        }
        if (!warmup.equals("auto")) {
            parseWarmup();
        }
        snapshotWarmup();
        List<Long> sizes = new ArrayList<>();
        for (String size : stateBytes) {
            sizes.add(parseSize(size));
        }
        if (fullEvery < 1 || fullEvery > 1_000 || !(changedPercent >= 0 && changedPercent <= 100)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--full-every must be 1 to 1000 and"
                    + " --changed-percent 0 to 100, got " + fullEvery + " and " + changedPercent);
        }
        if (captureSnapshots < 1 || !(captureRate > 0) || Double.isInfinite(captureRate)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--capture-snapshots must be at least 1 and"
                    + " --capture-rate a positive number of records/s, got " + captureSnapshots + " and "
                    + captureRate);
        }
        double rate = rateOption.rate(spec, true);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("kafkasnap bench: %d cores, Java %s, %s; logs: %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Logs.file());
        out.flush();
        Path stateRoot = Files.createTempDirectory("kafkasnap-bench-");
        EmbeddedKafkaCluster embedded = null;
        try {
            String servers = kafka.bootstrap().orElse(null);
            if (servers == null) {
                // Only topics with a retention set are affected: the capture part's collection topic.
                embedded = EmbeddedKafkaCluster.builder().brokerProperty("log.retention.check.interval.ms", "5000")
                        .build().start();
                servers = embedded.bootstrapServers();
                out.printf("broker: in-JVM KRaft at %s (same JVM as the clients)%n", servers);
            } else {
                out.printf("broker: %s%n", servers);
            }
            out.flush();
            if (!sizes.isEmpty()) {
                CapturePauseReport.run(new CaptureBench(kafka.clientProperties(servers),
                        "bench-" + Long.toString(System.currentTimeMillis(), 36) + ".", stateRoot,
                        new CaptureBench.Changes(fullEvery, changedPercent)), sizes,
                        captureSnapshots, captureRate, stateRoot, out);
                return 0;
            }
            Bench bench = new Bench(kafka.clientProperties(servers),
                    "bench-" + Long.toString(System.currentTimeMillis(), 36) + ".", stateRoot, nodeSettings);
            if (!nodeSettings.isEmpty()) {
                out.printf("node settings of the throughput run: %s%n", nodeSettings);
            }

            if (!skip.contains("throughput")) {
                throughput(bench, out);
            }
            if (!skip.contains("latency") && !skip.contains("hop")) {
                hopLatency(bench, out);
            }
            if (!skip.contains("latency") && !skip.contains("snapshots")) {
                snapshotLatency(bench, out, rate);
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

    /**
     * The snapshot latency broken down by phase: the median of each phase over a run's snapshots, from the timelines
     * in the members' fragments (docs/benchmarks.md, "Phases"). Each phase ends when the last member reaches its point.
     */
    static void printPhases(PrintWriter out, List<Bench.SnapshotLatencies> runs) {
        if (runs.stream().allMatch(r -> r.phases().snapshots() == 0)) {
            return;
        }
        StringBuilder head = new StringBuilder(String.format("    %-60s", "  by phase (median ms; the last member at each point)"));
        runs.forEach(r -> head.append(String.format(" %12s", r.services() + " services")));
        out.println(head);
        for (String phase : SnapshotTimeline.PHASES) {
            StringBuilder row = new StringBuilder(String.format("    %-60s", "    " + phase));
            runs.forEach(r -> {
                Double median = r.phases().medians().get(phase);
                row.append(median == null ? String.format(" %12s", "-") : String.format(Locale.ROOT, " %12.1f", median));
            });
            out.println(row);
        }
        runs.stream().filter(r -> r.phases().withoutTimeline() > 0).forEach(r -> out.printf(
                "    (%d services: %d snapshots without a timeline from every member are left out)%n", r.services(),
                r.phases().withoutTimeline()));
    }

    private boolean comparing() {
        return compare != null;
    }

    /** One round: plain, middleware and, when comparing, Kafka Streams under each guarantee, in that order. */
    private ThroughputRounds.Round round(Bench bench) throws InterruptedException {
        double plain = bench.plainThroughput(records, recordBytes).perSecond();
        double middleware = bench.middlewareThroughput(records, recordBytes).perSecond();
        double snapshotting = Double.NaN;
        if (snapshotEveryMs > 0) {
            Bench.SnapshottedRun run = bench.middlewareThroughputWithSnapshots(records, recordBytes,
                    java.time.Duration.ofMillis(snapshotEveryMs));
            snapshotting = run.throughput().perSecond();
            snapshotsTriggered += run.triggered();
            snapshotsComplete += run.complete();
            run.others().forEach((outcome, n) -> snapshotsOther.merge(outcome, n, Integer::sum));
        }
        if (!comparing()) {
            return new ThroughputRounds.Round(plain, middleware, Double.NaN, Double.NaN, snapshotting);
        }
        double alos = bench.streamsThroughput(Bench.Guarantee.AT_LEAST_ONCE, records, recordBytes).perSecond();
        double eos = bench.streamsThroughput(Bench.Guarantee.EXACTLY_ONCE_V2, records, recordBytes).perSecond();
        return new ThroughputRounds.Round(plain, middleware, alos, eos, snapshotting);
    }

    private int snapshotsTriggered;
    private int snapshotsComplete;
    private final Map<String, Integer> snapshotsOther = new java.util.TreeMap<>();

    private void throughput(Bench bench, PrintWriter out) throws InterruptedException {
        ThroughputRounds rounds = new ThroughputRounds(comparing());
        warmUp(bench, out);
        snapshotsTriggered = 0;
        snapshotsComplete = 0;
        snapshotsOther.clear();
        List<ThroughputRounds.Round> measured = new ArrayList<>();
        for (int r = 1; r <= this.rounds; r++) {
            ThroughputRounds.Round round = round(bench);
            measured.add(round);
            out.printf("  round %d: %s%n", r, rounds.add(round));
            out.flush();
        }
        if (plotsDir != null) {
            Map<String, double[]> sides = new java.util.LinkedHashMap<>();
            sides.put("plain", measured.stream().mapToDouble(ThroughputRounds.Round::plain).toArray());
            sides.put("middleware", measured.stream().mapToDouble(ThroughputRounds.Round::middleware).toArray());
            sides.put("middleware, snapshotting", measured.stream()
                    .mapToDouble(ThroughputRounds.Round::middlewareSnapshotting).toArray());
            sides.put("Streams at_least_once", measured.stream()
                    .mapToDouble(ThroughputRounds.Round::streamsAlos).toArray());
            sides.put("Streams exactly_once_v2", measured.stream()
                    .mapToDouble(ThroughputRounds.Round::streamsEos).toArray());
            out.printf("  plot: %s%n", plots().throughput(sides, records, recordBytes));
        }
        out.println();
        if (snapshotEveryMs > 0) {
            rounds.snapshotsNote(String.format(Locale.ROOT, "one every %d ms: %d triggered, %d complete%s",
                    snapshotEveryMs, snapshotsTriggered, snapshotsComplete, snapshotsOther.isEmpty() ? ""
                            : ", " + snapshotsOther));
        }
        rounds.print(out, records, recordBytes);
        out.println();
        out.flush();
    }

    private void hopLatency(Bench bench, PrintWriter out) throws InterruptedException {
        out.printf("  one-hop latency at %s records/s, %d samples each, after a plain and a hop run not counted...%n",
                DemoCommand.fmt(hopRate), latencySamples);
        out.flush();
        // Not counted: in a JVM that has not run the throughput part, the first of these runs measures the JIT and
        // the broker's first fetches more than the path (plain at p50 was 50x its warm figure on the busy VM).
        bench.plainRateLatency(hopRate, latencySamples);
        bench.hopLatency(hopRate, latencySamples);
        Bench.Latencies plain = bench.plainRateLatency(hopRate, latencySamples);
        Bench.Latencies hop = bench.hopLatency(hopRate, latencySamples);
        Bench.Latencies timerHop = bench.timerHopLatency(hopRate, latencySamples);
        Bench.Latencies alos = null;
        Bench.Latencies eos = null;
        if (comparing()) {
            alos = bench.streamsLatency(Bench.Guarantee.AT_LEAST_ONCE, hopRate, latencySamples);
            eos = bench.streamsLatency(Bench.Guarantee.EXACTLY_ONCE_V2, hopRate, latencySamples);
        }
        out.println();
        heads(out, String.format(Locale.ROOT, "(b) one-hop latency at %s records/s, ms (%d samples each, after %d "
                + "warm-up)", DemoCommand.fmt(hopRate), latencySamples, Bench.warmupProbes(hopRate, latencySamples)));
        row(out, "plain produce -> consume (linger 0)", plain, plain);
        row(out, "middleware: node A's handler send -> node B's handler (outbox on)", hop, plain);
        row(out, "  the same sent from A's timer (leaves after the step's poll)", timerHop, plain);
        if (comparing()) {
            row(out, "Kafka Streams at_least_once: produce -> app -> consume", alos, plain);
            row(out, "Kafka Streams exactly_once_v2: produce -> app -> read_committed", eos, plain);
        }
        if (plotsDir != null) {
            Map<String, Bench.Latencies> series = new java.util.LinkedHashMap<>();
            series.put("plain produce -> consume", plain);
            series.put("middleware hop (handler)", hop);
            series.put("middleware hop (timer)", timerHop);
            if (comparing()) {
                series.put("Streams at_least_once", alos);
                series.put("Streams exactly_once_v2", eos);
            }
            out.printf("    plot: %s%n", plots().hopLatency(series, hopRate));
        }
        double p50 = hop.percentile(50) / plain.percentile(50);
        double p99 = hop.percentile(99) / plain.percentile(99);
        out.printf(Locale.ROOT, "    goals: hop p50 <= 2x plain: %s (%.1fx); hop p99 <= 3x plain: %s (%.1fx)%n",
                p50 <= 2 ? "met" : "not met", p50, p99 <= 3 ? "met" : "not met", p99);
        out.println();
        out.flush();
    }

    /** Flink 2.3's in-memory snapshot p50 on the pipeline shape on this machine: a figure from issue 14, not run. */
    static final double FLINK_PIPELINE_P50_MS = 9;

    /** The topologies of the bank runs: {@code --topology} itself, or one with each {@code --channels} count. */
    private List<String> topologies() {
        return channels.isEmpty() ? List.of(topology) : channels.stream().map(c -> topology + ":" + c).toList();
    }

    private void snapshotLatency(Bench bench, PrintWriter out, double rate) {
        Bench.Latencies plain = bench.plainLatency(latencySamples);
        List<Bench.SnapshotLatencies> runs = new ArrayList<>();
        if (shape.equals("pipeline")) {
            out.printf("  %d snapshots of the pipeline (source -> 2 workers -> sink, %s items/s)...%n", snapshots,
                    DemoCommand.fmt(rate));
            out.flush();
            runs.add(bench.pipelineSnapshotLatency(rate, snapshots, snapshotWarmup(), 42));
        } else {
            for (int n : services) {
                for (String t : topologies()) {
                    out.printf("  %d snapshots of %d bank services (%s, %s transfers/s each)...%n", snapshots, n,
                            t, DemoCommand.fmt(rate));
                    out.flush();
                    runs.add(bench.snapshotLatency(n, t, rate, snapshots, snapshotWarmup(), 42));
                }
            }
        }
        out.println();
        heads(out, "(c) snapshot latency, ms");
        out.printf("    %-66s %8.2f %8.2f %10s %10s%n",
                "plain produce -> consume (" + plain.count() + " records)", plain.percentile(50),
                plain.percentile(99), "1.0", "1.0");
        for (Bench.SnapshotLatencies run : runs) {
            String what = run.topology().equals("pipeline") ? "pipeline" : run.services() + " services";
            row(out, "snapshot, " + what + ", " + run.channels() + " channels: trigger -> assembled+checked",
                    run.latencies(), plain);
            row(out, "  of which trigger -> last fragment (broker time)", run.fragmentsComplete(), plain);
        }
        if (shape.equals("pipeline")) {
            out.printf(Locale.ROOT, "    %-66s %8.1f %8s %10.1f%n",
                    "Flink 2.3 in memory, same shape (figure from issue 14, not run here)", FLINK_PIPELINE_P50_MS,
                    "-", FLINK_PIPELINE_P50_MS / plain.percentile(50));
            Bench.SnapshotLatencies run = runs.get(0);
            out.printf(Locale.ROOT, "    snapshot p50 / Flink's p50: trigger -> last fragment %.2f, "
                            + "trigger -> assembled+checked %.2f (goal < 1: %s)%n",
                    run.fragmentsComplete().percentile(50) / FLINK_PIPELINE_P50_MS,
                    run.latencies().percentile(50) / FLINK_PIPELINE_P50_MS,
                    run.latencies().percentile(50) < FLINK_PIPELINE_P50_MS ? "met" : "not met");
        }
        printPhases(out, runs);
        if (plotsDir != null) {
            out.printf("    plot: %s%n", plots().snapshotLatency(runs));
        }
        for (Bench.SnapshotLatencies run : runs) {
            out.printf("    %d services (%s): %d snapshots (after %d for warm-up), %d not complete/consistent/"
                            + "conserving, %d records recorded in flight%n", run.services(), run.topology(),
                    run.latencies().count(), run.warmups(), run.bad(), run.inFlightTotal());
        }
        printMemory(out, runs);
        out.flush();
    }

    private static final double MIB = 1024 * 1024;

    /**
     * Memory per node and per channel: the JVM's used heap after full collections and its resident set (VmRSS), while
     * a run's cluster ran minus before it started, over its nodes; between runs of the same size, the difference over
     * the difference in channels.
     */
    static void printMemory(PrintWriter out, List<Bench.SnapshotLatencies> runs) {
        out.println();
        out.printf("%-70s %12s %12s%n", "memory while the cluster ran minus before, after full GCs, MiB",
                "heap used", "RSS");
        for (Bench.SnapshotLatencies run : runs) {
            MemorySample m = run.memory();
            String what = run.services() + " services, " + run.channels() + " channels (" + run.topology() + ")";
            out.printf(Locale.ROOT, "    %-66s %12.1f %12s%n", what, m.heapUsedBytes() / MIB, mib(m.rssBytes(), 1));
            out.printf(Locale.ROOT, "    %-66s %12.2f %12s%n", "  per node", m.heapUsedBytes() / MIB / run.services(),
                    mib(m.rssBytes(), run.services()));
        }
        Map<Integer, List<Bench.SnapshotLatencies>> bySize = new java.util.TreeMap<>();
        runs.forEach(r -> bySize.computeIfAbsent(r.services(), k -> new ArrayList<>()).add(r));
        bySize.forEach((size, same) -> {
            Bench.SnapshotLatencies few = same.stream().min(java.util.Comparator.comparingInt(
                    Bench.SnapshotLatencies::channels)).orElseThrow();
            Bench.SnapshotLatencies many = same.stream().max(java.util.Comparator.comparingInt(
                    Bench.SnapshotLatencies::channels)).orElseThrow();
            if (many.channels() == few.channels()) {
                return;
            }
            MemorySample d = many.memory().minus(few.memory());
            int more = many.channels() - few.channels();
            out.printf(Locale.ROOT, "    %-66s %12.1f %12s%n", String.format(Locale.ROOT,
                            "one more channel, KiB (%d services: %d -> %d channels)", size, few.channels(),
                            many.channels()), d.heapUsedBytes() / 1024.0 / more,
                    d.rssBytes() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", d.rssBytes() / 1024.0 / more));
        });
        out.println("    (with the broker in this JVM, its share for the run's topics counts too; see "
                + "docs/benchmarks.md, \"Scale\")");
    }

    private static String mib(long bytes, int over) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.2f", bytes / MIB / over);
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
        out.printf("(d) restore, ms (collection topic: %,d records, of which %,d history fragments of %.0f B mean)"
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
            ThroughputRounds.Round round = round(bench);
            double change = previous < 0 ? Double.NaN : Math.abs(round.plain() - previous) / previous;
            out.printf("  warm-up %d: %s%s%n", w, ThroughputRounds.describe(round), Double.isNaN(change) ? ""
                            : String.format(Locale.ROOT, " (plain %+.0f%% on the round before)",
                                    100 * (round.plain() - previous) / previous));
            out.flush();
            if (auto && w >= 2 && change < 0.10) {
                return;
            }
            previous = round.plain();
        }
        if (auto) {
            out.printf("  plain was still changing by 10%% or more after %d warm-up rounds; measuring anyway%n", max);
        }
    }

    /** A size such as 1MB, 512KB or 1GB (powers of 1024), in bytes. */
    private long parseSize(String size) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?")
                .matcher(size.trim().toUpperCase(Locale.ROOT));
        if (m.matches()) {
            int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
                case "KB" -> 10;
                case "MB" -> 20;
                case "GB" -> 30;
                default -> 0;
            };
            long bytes = Long.parseLong(m.group(1)) << shift;
            if (bytes > 0 && bytes >> shift == Long.parseLong(m.group(1))) {
                return bytes;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--state-bytes takes sizes such as 1MB,10MB,1GB (B, KB, MB, GB; above 0), got '" + size + "'");
    }

    private SnapshotWarmup snapshotWarmup() {
        return snapshotWarmup.equals("auto") ? SnapshotWarmup.auto()
                : SnapshotWarmup.fixed(count("--snapshot-warmup", snapshotWarmup, "snapshots"));
    }

    private int parseWarmup() {
        return count("--warmup", warmup, "rounds");
    }

    /** The number >= 0 that {@code option} was given, or a clear error naming it. */
    private int count(String option, String value, String what) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                option + " takes auto or a number of " + what + " >= 0, got '" + value + "'");
    }
}
