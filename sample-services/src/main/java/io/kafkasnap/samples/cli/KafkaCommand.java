package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.tools.cli.Logs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Runs a standalone Kafka broker (KRaft, in this JVM) for local experiments, or a cluster of "
                + "several with --brokers, beside a KRaft controller of their own, and prints the bootstrap address. "
                + "Ctrl-C stops it.")
final class KafkaCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT",
            description = "The port clients connect to; 0 picks a free one (default: 9092). Only with one broker: "
                    + "the brokers of a cluster take free ports.")
    Integer port;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = "How many brokers (default: ${DEFAULT-VALUE}). Topics default to replication min(3, N), "
                    + "min.insync.replicas 2 from 3 brokers on.")
    int brokers;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Keep the broker's data in DIR, so a later run resumes it (default: a temporary "
                    + "directory, deleted at exit).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (brokers < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers must be >= 1, got " + brokers);
        }
        if (brokers > 1 && port != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--port is for one broker; the " + brokers + " brokers of a cluster take free ports");
        }
        // the brokers of a cluster take free ports: 0 leaves broker 1 to pick one too
        int port = this.port != null ? this.port : brokers == 1 ? 9092 : 0;
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0-65535, got " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("logs: %s%n", Logs.file());
        out.flush();
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(brokers).port(port).dataDir(dir).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "kafkasnap-kafka-stop"));
        try {
            kafka.start();
        } catch (RuntimeException e) {
            String what = brokers == 1 ? "Kafka on port " + port : brokers + " Kafka brokers";
            throw new IllegalStateException("could not start " + what
                    + (dir != null ? " with data in " + dir : "") + ": " + rootMessage(e), e);
        }
        out.printf("Kafka (KRaft, %s and a controller) running; bootstrap servers: %s%n",
                brokers == 1 ? "one broker" : brokers + " brokers", kafka.bootstrapServers());
        out.printf("data: %s; Ctrl-C to stop%n", dir != null ? dir.toAbsolutePath() : "temporary, deleted at exit");
        out.flush();
        stopped.await();
        return 0;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
