package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A wrong bootstrap address fails every command within seconds, with one line naming the address and the likely
 * cause, and no usage text.
 */
class UnreachableBootstrapTest {

    private static final Duration QUICK = Duration.ofSeconds(10);

    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String[]> commands(String bootstrap) {
        return List.of(
                new String[] {"trigger", "--bootstrap", bootstrap},
                new String[] {"snapshots", "list", "--bootstrap", bootstrap},
                new String[] {"snapshots", "show", "7", "--bootstrap", bootstrap},
                new String[] {"snapshots", "prune", "--keep", "2", "--bootstrap", bootstrap},
                new String[] {"restore", "7", "--bootstrap", bootstrap},
                new String[] {"dashboard", "--port", "0", "--bootstrap", bootstrap});
    }

    @Test
    void aRefusedConnectionFailsEveryCommandQuicklyNamingTheAddress() throws IOException {
        String bootstrap = "127.0.0.1:" + closedPort();
        for (String[] command : commands(bootstrap)) {
            long begin = System.nanoTime();
            ToolsRun run = ToolsRun.of(command);
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(run.exitCode()).as("%s: %s", command[0], run.err()).isEqualTo(1);
            assertThat(took).as(command[0]).isLessThan(QUICK);
            assertThat(run.err().strip()).as(command[0])
                    .startsWith(command[0].equals("snapshots") ? "snapshots " + command[1] + ": " : command[0] + ": ")
                    .contains("cannot reach Kafka at " + bootstrap, "connection refused", "is a broker running there")
                    .doesNotContain("Usage:").doesNotContain("Exception");
            assertThat(run.err().strip().lines().count()).as("one line: %s", run.err()).isEqualTo(1);
        }
    }

    @Test
    void anUnknownHostFailsQuicklyNamingTheHost() {
        String bootstrap = "no-such-broker.invalid:9092";
        for (String[] command : commands(bootstrap)) {
            long begin = System.nanoTime();
            ToolsRun run = ToolsRun.of(command);
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).as(command[0]).isLessThan(QUICK);
            assertThat(run.exitCode()).as("%s: %s", command[0], run.err()).isEqualTo(1);
            assertThat(run.err()).as(command[0]).contains("unknown host no-such-broker.invalid", "DNS")
                    .doesNotContain("Usage:");
        }
    }

    @Test
    void aBadOptionSaysWhatIsWrongAndWhereHelpIsWithoutTheUsage() {
        ToolsRun keep = ToolsRun.of("snapshots", "prune", "--keep", "0", "--bootstrap", "localhost:9092");
        assertThat(keep.exitCode()).isEqualTo(2);
        assertThat(keep.err()).contains("--keep must be >= 1, got 0")
                .startsWith("snapshots prune: ")
                .contains("Try 'kafkasnap-tools snapshots prune --help'").doesNotContain("Usage:");

        ToolsRun missing = ToolsRun.of("trigger");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("--bootstrap").doesNotContain("Usage:");

        ToolsRun notAnAddress = ToolsRun.of("trigger", "--bootstrap", "localhost");
        assertThat(notAnAddress.exitCode()).isEqualTo(2);
        assertThat(notAnAddress.err()).contains("'localhost' is not HOST:PORT");
    }
}
