package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotRunner;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.kafkasnap.samples.pipeline.PipelineCheck;
import io.kafkasnap.samples.pipeline.PipelineCluster;
import io.kafkasnap.samples.pipeline.PipelineSnapshotCheck;
import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.tools.cli.Durations;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.MetricsOption;
import io.kafkasnap.tools.cli.OptionalBootstrapOptions;
import io.kafkasnap.tools.cli.SnapshotTimeoutOption;
import io.kafkasnap.tools.cli.UiOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Like demo, for the pipeline sample: source -> two workers -> sink counting items, a "
                + "topology that is not strongly connected. Each snapshot line says whether every item is "
                + "counted exactly once across states and in-flight channels.")
final class PipelineCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    RateOption rateOption = new RateOption(50);

    @CommandLine.Mixin
    SnapshotLoopOptions loop;

    @CommandLine.Mixin
    OptionalBootstrapOptions kafka;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Mixin
    SnapshotTimeoutOption snapshotTimeout;

    @CommandLine.Mixin
    UiOptions ui;

    @CommandLine.Mixin
    MetricsOption metrics;

    @Override
    public Integer call() throws Exception {
        double rate = rateOption.rate(spec, true);
        loop.validate(spec);
        Duration interval = loop.interval;
        int snapshots = loop.snapshots;
        Duration timeout = snapshotTimeout.timeout();
        String bootstrap = kafka.bootstrap().orElse(null);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("kafkasnap pipeline: source -> pipe-worker-1, pipe-worker-2 -> sink, %s items/s; logs: %s%n",
                DemoCommand.fmt(rate), Logs.file());
        out.flush();
        List<AutoCloseable> resources = new ArrayList<>();
        Path stateRoot = Files.createTempDirectory("kafkasnap-pipeline-");
        Thread hook = new Thread(() -> DemoCommand.closeAll(resources, stateRoot,
                r -> !(r instanceof SnapshotFeed) && !(r instanceof TriggerPublisher)), "kafkasnap-pipeline-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            String servers = bootstrap;
            if (servers == null) {
                EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build();
                resources.add(kafka);
                servers = kafka.start().bootstrapServers();
                out.printf("Kafka: in-JVM KRaft broker at %s%n", servers);
            }
            Map<String, Object> props = kafka.clientProperties(servers);
            String prefix = "pipeline-" + Long.toString(System.currentTimeMillis(), 36) + ".";
            String control = prefix + "kafkasnap.control";
            String collection = prefix + "kafkasnap.fragments";
            MetricsOption.Endpoint endpoint = metrics.open();
            resources.add(endpoint);
            PipelineCluster cluster = PipelineCluster.start(props, prefix, control, collection, stateRoot, rate, seed,
                    endpoint.registry());
            resources.add(0, cluster);
            if (endpoint.port() >= 0) {
                out.printf("metrics: http://localhost:%d/metrics%n", endpoint.port());
            }
            ui.start(props, control, collection, "kafkasnap pipeline", timeout,
                    SnapshotChecks.of(new PipelineSnapshotCheck()), resources, out);
            SnapshotFeed feed = CollectorFeed.open(props, control, collection, timeout);
            resources.add(0, feed);
            TriggerPublisher publisher = new TriggerPublisher(props, control);
            resources.add(0, publisher);
            SnapshotRunner runner = new SnapshotRunner(publisher, feed);
            out.printf("topics start with %s%n", prefix);
            out.flush();
            int taken = 0;
            int bad = 0;
            SnapshotFigures figures = new SnapshotFigures();
            while (snapshots == 0 || taken < snapshots) {
                Thread.sleep(interval.toMillis());
                Nodes.requireHealthy(cluster.nodes());
                SnapshotRunner.Taken result = runner.take(timeout);
                taken++;
                figures.add(result);
                if (result.view().isEmpty()) {
                    bad++;
                    out.printf("snapshot %d: NOT ASSEMBLED within %s%n", result.id(), Durations.human(timeout));
                } else {
                    PipelineCheck.Result check = PipelineCheck.check(result.view().get(), prefix);
                    bad += check.ok() ? 0 : 1;
                    out.printf("snapshot %-6d produced %d = %d in flight + %d counted | %s"
                                    + " | trigger -> assembled+checked %d ms%n",
                            check.snapshot(), check.produced(), check.inFlight(), check.counted(), check.verdict(),
                            result.elapsed().toMillis());
                }
                out.flush();
            }
            out.printf("%d snapshots: %d consistent with every item counted once, %d not%n", taken, taken - bad, bad);
            figures.print(out);
            return bad == 0 ? 0 : 1;
        } finally {
            DemoCommand.closeAll(resources, stateRoot);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // exiting
            }
        }
    }
}
