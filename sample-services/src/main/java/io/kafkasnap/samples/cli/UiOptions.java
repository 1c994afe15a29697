package io.kafkasnap.samples.cli;

import io.kafkasnap.samples.dashboard.Dashboard;
import io.kafkasnap.samples.dashboard.SnapshotCheck;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The dashboard that {@code demo} and {@code pipeline} serve beside their console lines. */
final class UiOptions {

    @Option(names = "--no-ui", description = "Do not serve the web dashboard.")
    boolean noUi;

    @Option(names = "--ui-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the web dashboard; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    /** Starts the dashboard unless {@code --no-ui}, prints its address, and adds it to what is closed first. */
    void start(Map<String, Object> kafka, String controlTopic, String collectionTopic, String title,
               Duration timeout, SnapshotCheck check, List<AutoCloseable> resources, PrintWriter out) {
        if (noUi) {
            return;
        }
        Dashboard dashboard = Dashboard.start(new Dashboard.Config(kafka, controlTopic, collectionTopic,
                "kafkasnap.status", "localhost", port, timeout, 1000, 100, title), check, null);
        synchronized (resources) {
            resources.add(0, dashboard);
        }
        out.printf("dashboard: %s%n", dashboard.url());
        out.flush();
    }
}
