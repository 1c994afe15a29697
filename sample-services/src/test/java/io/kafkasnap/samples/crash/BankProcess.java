package io.kafkasnap.samples.crash;

import static org.awaitility.Awaitility.await;

import io.kafkasnap.samples.bank.BankTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code kafkasnap bank} service as a real OS process, so that a test can kill it with SIGKILL (nothing runs:
 * no shutdown hook, no flush) and start it again from its state directory. Ends only the processes it started.
 */
final class BankProcess {

    private static final Duration START_PATIENCE = Duration.ofSeconds(60);

    private final String id;
    private final String bootstrap;
    private final String prefix;
    private final List<String> in;
    private final List<String> out;
    private final Path stateDir;
    private final Path logDir;
    private final long seed;
    private Process process;
    private Path output;
    private int starts;

    BankProcess(int branch, BankTopology topology, String bootstrap, String prefix, Path root, long seed) {
        this.id = BankTopology.processId(branch);
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.in = topology.incoming(prefix, branch);
        this.out = topology.outgoing(prefix, branch);
        this.stateDir = root.resolve("state").resolve(id);
        this.logDir = root.resolve("logs");
        this.seed = seed;
    }

    String id() {
        return id;
    }

    Path stateDir() {
        return stateDir;
    }

    /** Starts the service and waits until it says it is running. */
    BankProcess start(double rate) throws IOException {
        launch(rate);
        awaitRunning();
        return this;
    }

    /** Starts the service without waiting; several started at once race to create the topics, as in compose. */
    void launch(double rate) throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(id + " is running");
        }
        starts++;
        output = logDir.resolve(id + "-" + starts + ".out");
        Files.createDirectories(logDir);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dkafkasnap.log.dir=" + logDir,
                "-cp", System.getProperty("java.class.path"), "io.kafkasnap.samples.cli.KafkasnapCli", "bank",
                "--id", id, "--bootstrap", bootstrap, "--state-dir", stateDir.toString(), "--balance", "1000",
                "--rate", Double.toString(rate), "--seed", Long.toString(seed + starts),
                "--control-topic", prefix + "control", "--collection-topic", prefix + "fragments"));
        if (!in.isEmpty()) {
            command.addAll(List.of("--in", String.join(",", in)));
        }
        if (!out.isEmpty()) {
            command.addAll(List.of("--out", String.join(",", out)));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    void awaitRunning() {
        await().atMost(START_PATIENCE).pollInterval(Duration.ofMillis(100))
                .failFast(id + " ended at start", () -> !process.isAlive())
                .until(() -> output().contains(id + " running"));
    }

    /** SIGKILL: the JVM gets no chance to flush, commit or announce anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " did not die after SIGKILL");
        }
    }

    /** SIGTERM: the service closes cleanly (its shutdown hook leaves the group). */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(id + " did not stop within 60 s of SIGTERM: " + output());
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What the current run printed. */
    String output() {
        try {
            return output != null && Files.exists(output) ? Files.readString(output) : "(no output)";
        } catch (IOException e) {
            return "(unreadable output: " + e + ")";
        }
    }

    /** Ends the process if it still runs; for cleanup. */
    void destroy() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
