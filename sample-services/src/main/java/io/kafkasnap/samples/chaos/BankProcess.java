package io.kafkasnap.samples.chaos;

import io.kafkasnap.samples.bank.BankTopology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code kafkasnap bank} service as a real OS process, so that it can be killed with SIGKILL (nothing runs: no
 * shutdown hook, no flush) and started again from its state directory. Ends only the processes it started.
 */
public final class BankProcess {

    private static final Duration START_PATIENCE = Duration.ofSeconds(60);

    private final String id;
    private final String bootstrap;
    private final String prefix;
    private final List<String> in;
    private final List<String> out;
    private final Path stateDir;
    private final Path logDir;
    private final long seed;
    private long launchedAt;
    private Process process;
    private Path output;
    private int starts;

    /**
     * @param prefix the topics are {@code <prefix>bank.<i>.<j>}, {@code <prefix>control}, {@code <prefix>fragments}
     * @param root   state under {@code root/state/<id>}, output and logs under {@code root/logs}
     */
    public BankProcess(int branch, BankTopology topology, String bootstrap, String prefix, Path root, long seed) {
        this.id = BankTopology.processId(branch);
        this.bootstrap = bootstrap;
        this.prefix = prefix;
        this.in = topology.incoming(prefix, branch);
        this.out = topology.outgoing(prefix, branch);
        this.stateDir = root.resolve("state").resolve(id);
        this.logDir = root.resolve("logs");
        this.seed = seed;
    }

    public String id() {
        return id;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Starts the service and waits until it says it is running. */
    public BankProcess start(double rate) throws IOException, InterruptedException {
        launch(rate);
        awaitRunning();
        return this;
    }

    /** Starts the service without waiting; several started at once race to create the topics, as in compose. */
    public void launch(double rate) throws IOException {
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
        launchedAt = System.nanoTime();
    }

    /**
     * Whether the service has printed that it runs, without waiting.
     *
     * @throws IllegalStateException naming what it printed, if it ended or has taken more than a minute since launch
     */
    public boolean checkRunning() {
        if (output().contains(id + " running")) {
            return true;
        }
        if (!process.isAlive()) {
            throw new IllegalStateException(id + " ended at start: " + output());
        }
        if (System.nanoTime() - launchedAt > START_PATIENCE.toNanos()) {
            throw new IllegalStateException(id + " did not start within " + START_PATIENCE.toSeconds() + " s: "
                    + output());
        }
        return false;
    }

    /**
     * Waits until the service prints that it runs.
     *
     * @throws IllegalStateException naming what it printed, if it ends or takes more than a minute
     */
    public void awaitRunning() throws InterruptedException {
        while (!checkRunning()) {
            // A child process's output file has nothing to wait on; look again shortly.
            Thread.sleep(50);
        }
    }

    /** SIGKILL: the JVM gets no chance to flush, commit or announce anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " did not die after SIGKILL");
        }
    }

    /** SIGTERM: the service closes cleanly (its shutdown hook leaves the group). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(id + " did not stop within 60 s of SIGTERM: " + output());
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What the current run printed. */
    public String output() {
        try {
            return output != null && Files.exists(output) ? Files.readString(output) : "(no output)";
        } catch (IOException e) {
            return "(unreadable output: " + e + ")";
        }
    }

    /** Ends the process if it still runs; for cleanup. */
    public void destroy() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
