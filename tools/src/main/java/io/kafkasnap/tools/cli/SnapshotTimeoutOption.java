package io.kafkasnap.tools.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --timeout}: how long after its trigger an unfinished snapshot is reported timed-out. */
public final class SnapshotTimeoutOption {

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", converter = Durations.class,
            description = "A snapshot whose fragments have not all arrived this long after its trigger is reported "
                    + "timed-out; also the longest wait for one (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    public Duration timeout() {
        return timeout;
    }
}
