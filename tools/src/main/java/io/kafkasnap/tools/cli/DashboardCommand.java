package io.kafkasnap.tools.cli;

import io.kafkasnap.tools.dashboard.Dashboard;
import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.schedule.SnapshotScheduler;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serves a live web page of one snapshot group, built from Kafka alone: the topology from "
                + "the control topic, lag and rate per channel from the status topic and the channels' end offsets, "
                + "the snapshots from the collection topic (history, in progress, states and in-flight messages on "
                + "click), and a button to trigger one. Runs until Ctrl-C."})
final class DashboardCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BootstrapOptions kafka;

    @Mixin
    TopicOptions topics;

    @Option(names = "--status-topic", paramLabel = "TOPIC", defaultValue = "kafkasnap.status",
            description = "The nodes' compacted status topic; lag is unknown while it is absent "
                    + "(default: ${DEFAULT-VALUE}).")
    String statusTopic;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "HTTP port of the page; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "localhost",
            description = "Address to listen on; 0.0.0.0 for every interface. The page has no login and can "
                    + "trigger snapshots (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--trigger-every", paramLabel = "SECONDS", converter = Durations.class,
            description = "Also trigger a snapshot this often, unless another trigger on the control topic is "
                    + "younger (default: only when asked on the page).")
    Duration triggerEvery;

    @Mixin
    SnapshotTimeoutOption snapshotTimeout;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "100",
            description = "Snapshots kept in full, whose states and messages can be opened; older ones keep a "
                    + "summary (default: ${DEFAULT-VALUE}).")
    int keep;

    @Mixin
    MetricsOption metrics;

    @Override
    public Integer call() throws Exception {
        if (keep < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be at least 1, got " + keep);
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> props = kafka.clientProperties();
        Duration timeout = snapshotTimeout.timeout();
        SnapshotChecks checks = SnapshotChecks.installed();
        Dashboard.Config config = new Dashboard.Config(props, topics.controlTopic, topics.collectionTopic,
                statusTopic, host, port, timeout, 1000, keep, "kafkasnap · " + kafka.bootstrap());
        try (MetricsOption.Endpoint endpoint = metrics.open();
             Dashboard dashboard = Dashboard.start(config, checks, endpoint.registry());
             SnapshotScheduler scheduler = triggerEvery == null ? null : scheduler(props, timeout)) {
            out.printf("dashboard: %s (Kafka %s, control topic %s)%s%n", dashboard.url(), kafka.bootstrap(),
                    topics.controlTopic, endpoint.describe());
            out.printf("application checks: %s%n", checks.all().isEmpty() ? "none (states, channels and rules 1-3)"
                    : checks.all().stream().map(io.kafkasnap.tools.SnapshotCheck::name).toList());
            out.printf("logs: %s; Ctrl-C to stop%n", Logs.file());
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "kafkasnap-dashboard-stop"));
            while (!stop.await(1, TimeUnit.SECONDS)) {
                if (dashboard.failure().isPresent()) {
                    throw new IllegalStateException("dashboard stopped reading Kafka: "
                            + dashboard.failure().get().getMessage(), dashboard.failure().get());
                }
            }
        }
        return 0;
    }

    private SnapshotScheduler scheduler(Map<String, Object> props, Duration timeout) {
        Properties clientProps = new Properties();
        clientProps.putAll(props);
        return SnapshotScheduler.builder(clientProps).controlTopic(topics.controlTopic)
                .collectionTopic(topics.collectionTopic).interval(triggerEvery).timeout(timeout).build().start();
    }
}
