package io.kafkasnap.tools.cli;

import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.tools.dashboard.Dashboard;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The dashboard that a command running services (the samples' demo and pipeline) serves beside its lines. */
public final class UiOptions {

    @Option(names = "--no-ui", description = "Do not serve the web dashboard.")
    boolean noUi;

    @Option(names = "--ui-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the web dashboard; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    /** Starts the dashboard unless {@code --no-ui}, prints its address, and adds it to what is closed first. */
    public void start(Map<String, Object> kafka, String controlTopic, String collectionTopic, String title,
                      Duration timeout, SnapshotChecks checks, List<AutoCloseable> resources, PrintWriter out) {
        if (noUi) {
            return;
        }
        Dashboard dashboard = Dashboard.start(new Dashboard.Config(kafka, controlTopic, collectionTopic,
                "kafkasnap.status", "localhost", port, timeout, 1000, 100, title), checks, null);
        synchronized (resources) {
            resources.add(0, dashboard);
        }
        out.printf("dashboard: %s%n", dashboard.url());
        out.flush();
    }
}
