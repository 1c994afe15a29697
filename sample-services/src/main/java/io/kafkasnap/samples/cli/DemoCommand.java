package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.samples.bank.BankCheck;
import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankSnapshotCheck;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotRunner;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.tools.cli.Durations;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.OptionalBootstrapOptions;
import io.kafkasnap.tools.cli.SnapshotTimeoutOption;
import io.kafkasnap.tools.cli.UiOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
                "Runs a bank of N services that move money at random over single-partition Kafka topics, takes a "
                        + "global snapshot every --interval through the control topic and prints one line per "
                        + "snapshot: id, members, in-flight messages recorded, total money (states + in flight), "
                        + "the expected total, the consistency verdict, and the time from trigger to assembled.",
                "Starts an in-JVM Kafka broker (KRaft) unless --bootstrap is given. Runs until Ctrl-C, or until "
                        + "--snapshots K have been taken; then exits 0, or 1 if any snapshot was inconsistent, "
                        + "incomplete or did not conserve money."})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--services", paramLabel = "N", defaultValue = "3",
            description = "Number of bank services (default: ${DEFAULT-VALUE}).")
    int services;

    @Option(names = "--topology", paramLabel = "full|ring|random:SEED", defaultValue = "full",
            description = "Who sends to whom (default: ${DEFAULT-VALUE}). random:SEED is a ring over a seeded "
                    + "permutation plus each other edge with probability 1/3, so every service has at least one "
                    + "incoming and one outgoing channel.")
    String topology;

    @CommandLine.Mixin
    RateOption rateOption = new RateOption(20);

    @CommandLine.Mixin
    SnapshotLoopOptions loop;

    @CommandLine.Mixin
    OptionalBootstrapOptions kafka;

    @Option(names = "--json", paramLabel = "DIR",
            description = "Write each assembled global snapshot as <id>.json in DIR.")
    Path jsonDir;

    @Option(names = "--balance", paramLabel = "N", defaultValue = "1000",
            description = "Initial balance of each service (default: ${DEFAULT-VALUE}).")
    long balance;

    @Option(names = "--seed", paramLabel = "SEED",
            description = "Seed of the transfers (default: random, printed at start).")
    Long seed;

    @CommandLine.Mixin
    SnapshotTimeoutOption snapshotTimeout;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "",
            description = "Put before every topic name (channels, control, collection), to keep runs apart on a "
                    + "shared cluster. With --bootstrap and no prefix, a fresh one is chosen if the control topic "
                    + "already holds an earlier run.")
    String topicPrefix;

    @CommandLine.Mixin
    UiOptions ui;

    private volatile boolean stopping;
    private volatile int taken;
    private volatile int bad;

    @Override
    public Integer call() throws Exception {
        validate();
        double rate = rateOption.rate(spec, false);
        Duration interval = loop.interval;
        int snapshots = loop.snapshots;
        Duration timeout = snapshotTimeout.timeout();
        String bootstrap = kafka.bootstrap().orElse(null);
        PrintWriter out = spec.commandLine().getOut();
        long seedValue = seed != null ? seed : ThreadLocalRandom.current().nextLong(1_000_000);
        BankTopology bank = BankTopology.parse(topology, services);
        out.printf("kafkasnap demo: %d bank services, topology %s, %s transfers/s each, snapshot every %s, seed %d%n",
                services, bank, fmt(rate), Durations.human(interval), seedValue);
        out.printf("logs (broker and services): %s%n", Logs.file());
        out.flush();

        List<AutoCloseable> resources = new ArrayList<>();
        Path stateRoot = Files.createTempDirectory("kafkasnap-demo-");
        Thread hook = new Thread(() -> {
            // Ctrl-C: the services leave cleanly and the broker stops; the main thread's Kafka clients are not
            // thread-safe and die with the JVM.
            stopping = true;
            closeAll(resources, stateRoot, r -> !(r instanceof SnapshotFeed) && !(r instanceof TriggerPublisher));
            out.printf("%nstopped: %d snapshots, %d consistent and conserving money, %d not%n", taken,
                    taken - bad, bad);
            out.flush();
        }, "kafkasnap-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String servers = bootstrap;
            if (servers == null) {
                long begin = System.nanoTime();
                EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build();
                resources.add(kafka);
                kafka.start();
                servers = kafka.bootstrapServers();
                out.printf("Kafka: in-JVM KRaft broker at %s, started in %d ms%n", servers, millisSince(begin));
            } else {
                out.printf("Kafka: %s%n", servers);
            }
            Map<String, Object> props = kafka.clientProperties(servers);
            String prefix = topicPrefix;
            if (bootstrap != null && prefix.isEmpty() && Kafka.endOffset(props, "kafkasnap.control") > 0) {
                prefix = "demo-" + Long.toString(System.currentTimeMillis(), 36) + ".";
                out.printf("kafkasnap.control holds an earlier run: this run's topics start with %s%n", prefix);
            }
            String control = prefix + "kafkasnap.control";
            String collection = prefix + "kafkasnap.fragments";

            long begin = System.nanoTime();
            BankCluster cluster = BankCluster.start(new BankCluster.Config(props, bank, prefix, control, collection,
                    stateRoot, balance, rate, seedValue));
            resources.add(0, cluster);
            out.printf("bank: %d services started in %d ms; channels %s; control topic %s, fragments on %s%n",
                    services, millisSince(begin), channelSummary(bank, prefix), control, collection);
            long expected = cluster.expectedTotal();
            ui.start(props, control, collection, "kafkasnap demo · bank of " + services, timeout,
                    SnapshotChecks.of(new BankSnapshotCheck(OptionalLong.of(expected))), resources, out);
            out.flush();

            SnapshotFeed feed = CollectorFeed.open(props, control, collection, timeout);
            resources.add(0, feed);
            TriggerPublisher publisher = new TriggerPublisher(props, control);
            resources.add(0, publisher);
            SnapshotRunner runner = new SnapshotRunner(publisher, feed);
            if (jsonDir != null) {
                Files.createDirectories(jsonDir);
            }

            SnapshotFigures figures = new SnapshotFigures();
            long next = System.nanoTime() + interval.toNanos();
            while (snapshots == 0 || taken < snapshots) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next += interval.toNanos();
                Nodes.requireHealthy(cluster.nodes());
                SnapshotRunner.Taken result;
                try {
                    result = runner.take(timeout);
                } catch (RuntimeException e) {
                    if (stopping) {
                        return 130;
                    }
                    throw e;
                }
                if (stopping) {
                    figures.print(out); // Ctrl-C: what the snapshots so far took
                    out.flush();
                    return 130;
                }
                taken++;
                figures.add(result);
                if (result.view().isEmpty()) {
                    bad++;
                    out.printf("snapshot %d: NOT ASSEMBLED within %s%n", result.id(), Durations.human(timeout));
                } else {
                    SnapshotView view = result.view().get();
                    BankCheck.Result check = BankCheck.check(view, OptionalLong.of(cluster.expectedTotal()));
                    if (!check.ok()) {
                        bad++;
                    }
                    out.println(line(check, result.elapsed()));
                    if (jsonDir != null) {
                        Files.write(jsonDir.resolve(view.id() + ".json"), view.toJsonBytes());
                    }
                }
                out.flush();
                if (next < System.nanoTime()) {
                    next = System.nanoTime(); // a slow snapshot: take the next one at once, do not pile up
                }
            }
            out.printf("%d snapshots: %d consistent and conserving money, %d not%n", taken, taken - bad, bad);
            figures.print(out);
            out.flush();
            return bad == 0 ? 0 : 1;
        } finally {
            closeAll(resources, stateRoot);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting (Ctrl-C): the hook does the same
            }
        }
    }

    static String line(BankCheck.Result check, Duration elapsed) {
        List<String> members = check.members();
        String memberText = members.size() <= 5 ? String.join(",", members)
                : members.size() + " (" + members.get(0) + ".." + members.get(members.size() - 1) + ")";
        return String.format("snapshot %-6d members %s | in flight %3d | total %d = %d + %d in flight"
                        + " | expected %s | %s | trigger -> assembled+checked %d ms",
                check.snapshot(), memberText, check.inFlight(), check.total(), check.balances(),
                check.inFlightMoney(), check.expected().isPresent() ? Long.toString(check.expected().getAsLong()) : "?",
                check.verdict(), elapsed.toMillis());
    }

    private void validate() {
        if (services < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--services must be at least 2, got " + services);
        }
        if (services > 100) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--services must be at most 100, got " + services);
        }
        loop.validate(spec);
        if (balance < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--balance must be >= 0, got " + balance);
        }
        try {
            BankTopology.parse(topology, services);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--topology: " + e.getMessage());
        }
    }

    private static String channelSummary(BankTopology bank, String prefix) {
        List<String> topics = bank.allTopics(prefix);
        return topics.size() <= 6 ? String.join(",", topics) : topics.size() + " topics " + prefix + "bank.<from>.<to>";
    }

    static void closeAll(List<AutoCloseable> resources, Path stateRoot) {
        closeAll(resources, stateRoot, r -> true);
    }

    /** Closes (in list order) and removes the resources that {@code which} selects; then deletes the state. */
    static void closeAll(List<AutoCloseable> resources, Path stateRoot,
                         java.util.function.Predicate<AutoCloseable> which) {
        synchronized (resources) {
            for (AutoCloseable resource : List.copyOf(resources)) {
                if (!which.test(resource)) {
                    continue;
                }
                resources.remove(resource);
                try {
                    resource.close();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(DemoCommand.class).warn("closing {} failed", resource, e);
                }
            }
            deleteTree(stateRoot);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files: not worth failing for
        }
    }

    static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String human(Duration d) {
        return Durations.human(d);
    }
}
