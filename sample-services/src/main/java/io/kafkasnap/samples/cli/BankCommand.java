package io.kafkasnap.samples.cli;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.bank.BankService;
import io.kafkasnap.tools.cli.BootstrapOptions;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.MetricsOption;
import io.kafkasnap.tools.cli.TopicOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bank", mixinStandardHelpOptions = true,
        description = {"Runs one bank service as its own process: it holds its money under the state key "
                + "'balance' and sends random transfers {\"amount\":N} on its outgoing channels, never more than "
                + "it has. A service with no --out only receives; one with no --in only sends. Ctrl-C stops it "
                + "(it leaves the snapshot group cleanly); restarted with the same --state-dir it resumes."})
final class BankCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The process id, unique in the group.")
    String id;

    @Mixin
    BootstrapOptions kafka;

    @Option(names = "--in", split = ",", paramLabel = "TOPIC", description = "Incoming channel topics, comma-separated.")
    List<String> in = new ArrayList<>();

    @Option(names = "--out", split = ",", paramLabel = "TOPIC", description = "Outgoing channel topics, comma-separated.")
    List<String> out = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where RocksDB keeps the state (default: ./kafkasnap-state/<ID>).")
    Path stateDir;

    @Option(names = "--balance", paramLabel = "N", defaultValue = "1000",
            description = "Initial balance, set only if the state has none yet (default: ${DEFAULT-VALUE}).")
    long balance;

    @Mixin
    RateOption rateOption = new RateOption(10);

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the transfers (default: random).")
    Long seed;

    @Mixin
    TopicOptions topics;

    @Mixin
    MetricsOption metrics;

    private void printStart(BankService.Start start, Path dir) {
        PrintWriter console = spec.commandLine().getOut();
        console.println(startLine(id, start, balance, dir));
        console.flush();
    }

    /** What {@code kafkasnap bank} prints once the branch has started, with a new balance or a resumed one. */
    static String startLine(String id, BankService.Start start, long initialBalance, Path dir) {
        return start.resumed()
                ? String.format("%s resumed from %s with its stored balance %d (--balance %d not applied)", id,
                        dir.toAbsolutePath(), start.balance(), initialBalance)
                : String.format("%s started with initial balance %d (no stored state in %s)", id, start.balance(),
                        dir.toAbsolutePath());
    }

    @Override
    public Integer call() throws Exception {
        if (in.isEmpty() && out.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give at least one of --in and --out: a bank service with no channels has nothing to do");
        }
        if (balance < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--balance must be >= 0, got " + balance);
        }
        double rate = rateOption.rate(spec, false);
        Path dir = stateDir != null ? stateDir : Path.of("kafkasnap-state", id);
        long seedValue = seed != null ? seed : System.nanoTime();
        SnapshotNode node;
        MetricsOption.Endpoint endpoint = metrics.open();
        try {
            node = BankService.node(id, kafka.clientProperties(), dir, in, out, balance, rate, seedValue,
                            start -> printStart(start, dir))
                    .controlTopic(topics.controlTopic())
                    .collectionTopic(topics.collectionTopic())
                    .meterRegistry(endpoint.registry())
                    .build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            endpoint.close();
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter console = spec.commandLine().getOut();
        console.printf("logs: %s%n", Logs.file());
        console.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            endpoint.close();
            stopped.countDown();
        }, "kafkasnap-bank-stop"));
        node.start();
        // the balance is told once the node's start task has read the state: only then is it known whether --balance
        // applies or the state directory's balance is resumed
        console.printf("%s running: in %s, out %s, state in %s, %s transfers/s; control topic %s; Ctrl-C to stop%n",
                id, in, out, dir.toAbsolutePath(), DemoCommand.fmt(rate), topics.controlTopic());
        if (endpoint.port() >= 0) {
            console.printf("metrics: http://localhost:%d/metrics%n", endpoint.port());
        }
        console.flush();
        while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            if (node.failure().isPresent()) {
                Throwable failure = node.failure().get();
                throw new IllegalStateException(id + " stopped: " + failure.getMessage(), failure);
            }
        }
        return 0;
    }
}
