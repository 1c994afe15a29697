package io.kafkasnap.samples.cli;

import io.kafkasnap.tools.cli.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --interval} and {@code --snapshots}: how often the demo and the pipeline take a snapshot, and how many. */
final class SnapshotLoopOptions {

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2", converter = Durations.class,
            description = "Time between snapshots: seconds (2, 0.5) or 500ms (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--snapshots", paramLabel = "K", defaultValue = "0",
            description = "Stop after K snapshots; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    int snapshots;

    void validate(CommandLine.Model.CommandSpec spec) {
        if (snapshots < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--snapshots must be >= 0, got " + snapshots);
        }
    }
}
