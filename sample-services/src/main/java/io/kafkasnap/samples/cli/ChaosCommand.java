package io.kafkasnap.samples.cli;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.samples.chaos.ChaosRun;
import io.kafkasnap.tools.cli.Durations;
import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.OptionalBootstrapOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Bank services as separate processes on a full graph, under load: one after another is "
                + "killed with SIGKILL and started again from its state directory, snapshots are triggered all "
                + "along, and with --restore-every the system is restored to the latest complete snapshot now and "
                + "then. At the end the services are stopped, started again sending nothing, and drained. Reports "
                + "the money in every complete snapshot, the failed ones by reason, the restores' durations (write "
                + "to every member restored, p50/p99) and the money after each, and the money after draining.",
                "Exit 0 when money was conserved in every complete snapshot, after every restore and after "
                        + "draining, and every restore finished; 1 otherwise."})
final class ChaosCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--services", defaultValue = "4", description = "Bank services (2-20; default: ${DEFAULT-VALUE}).")
    int services;

    @Mixin
    RateOption rateOption = new RateOption(50);

    @Option(names = "--duration", defaultValue = "60", converter = Durations.class, paramLabel = "SECONDS",
            description = "How long the chaos lasts (default: ${DEFAULT-VALUE} s).")
    Duration duration;

    @Option(names = "--kill-every", defaultValue = "4", converter = Durations.class, paramLabel = "SECONDS",
            description = "Time between two kills (default: ${DEFAULT-VALUE} s).")
    Duration killEvery;

    @Option(names = "--restore-every", converter = Durations.class, paramLabel = "SECONDS",
            description = "Restore the latest complete snapshot this often (default: never).")
    Duration restoreEvery;

    @Option(names = "--trigger-every", defaultValue = "1", converter = Durations.class, paramLabel = "SECONDS",
            description = "Time between two snapshot triggers (default: ${DEFAULT-VALUE} s).")
    Duration triggerEvery;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Brokers of the in-JVM cluster (1, or 3 with replication 3 and min.insync.replicas=2; default:"
                    + " ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--kill-broker-every", converter = Durations.class, paramLabel = "SECONDS",
            description = "Kill a broker this often, and start it again half that time later (needs --brokers 3).")
    Duration killBrokerEvery;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the kills and transfers (default: random, printed).")
    Long seed;

    @Mixin
    OptionalBootstrapOptions kafka;


    @Override
    public Integer call() throws Exception {
        if (services < 2 || services > 20) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--services must be 2-20, got " + services);
        }
        double rate = rateOption.rate(spec, true);
        String bootstrap = kafka.bootstrap().orElse(null);
        if (brokers != 1 && brokers != 3) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers must be 1 or 3, got " + brokers);
        }
        if (killBrokerEvery != null && (brokers != 3 || bootstrap != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--kill-broker-every needs the in-JVM cluster of --brokers 3 (and no --bootstrap)");
        }
        PrintWriter out = spec.commandLine().getOut();
        long seedValue = seed != null ? seed : ThreadLocalRandom.current().nextLong(1_000_000);
        Path root = Files.createTempDirectory("kafkasnap-chaos-");
        out.printf("kafkasnap chaos: %d bank services (full graph), %s transfers/s each, %d s, kill every %s s,"
                        + " restore every %s, trigger every %s s, seed %d; state and logs in %s%n", services,
                DemoCommand.fmt(rate), duration.toSeconds(), DemoCommand.fmt(killEvery.toMillis() / 1000.0),
                restoreEvery == null ? "never" : DemoCommand.fmt(restoreEvery.toMillis() / 1000.0) + " s",
                DemoCommand.fmt(triggerEvery.toMillis() / 1000.0), seedValue, root);
        out.flush();
        AutoCloseable embedded = null;
        ChaosRun.Brokers killable = null;
        try {
            String servers = bootstrap;
            if (servers == null) {
                EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(brokers).build().start();
                embedded = cluster;
                servers = cluster.bootstrapServers();
                killable = new ChaosRun.Brokers() {
                    @Override
                    public java.util.List<Integer> ids() {
                        return cluster.brokerIds();
                    }

                    @Override
                    public void kill(int id) {
                        cluster.kill(id);
                    }

                    @Override
                    public void restart(int id) {
                        cluster.restart(id);
                    }
                };
                if (brokers == 1) {
                    out.printf("Kafka: in-JVM KRaft broker at %s%n", servers);
                } else {
                    out.printf("Kafka: in-JVM cluster of %d brokers at %s (replication 3, min.insync.replicas=2)%n",
                            brokers, servers);
                }
            }
            Map<String, Object> props = kafka.clientProperties(servers);
            Properties kafka = new Properties();
            kafka.putAll(props);
            String prefix = "chaos-" + Long.toString(System.currentTimeMillis(), 36) + ".";
            ChaosRun.Plan plan = new ChaosRun.Plan(services, rate, duration, killEvery,
                    restoreEvery == null ? Duration.ZERO : restoreEvery, triggerEvery,
                    killBrokerEvery == null ? Duration.ZERO : killBrokerEvery, seedValue);
            ChaosRun.Report report = new ChaosRun(plan, servers, kafka, prefix, root, out, killable).run();
            out.printf("kills: %d services, %d brokers%n", report.kills(), report.brokerKills());
            out.printf("snapshots: %d assembled, %d complete (money in each: %s), not complete: %s%n",
                    report.snapshots(), report.complete(), report.problems().stream()
                            .anyMatch(p -> p.contains(" holds ")) ? "NOT always " + report.expectedTotal()
                            : "always " + report.expectedTotal(), report.notComplete());
            if (report.restoreMillis().isEmpty()) {
                out.printf("restores: none done; unfinished: %d%n", report.restoresUnfinished());
            } else {
                out.printf("restores: %d done, write -> every member restored p50 %d ms, p99 %d ms; money after"
                                + " each: %s; unfinished: %d%n", report.restoreMillis().size(),
                        ChaosRun.percentile(report.restoreMillis(), 50),
                        ChaosRun.percentile(report.restoreMillis(), 99), report.totalsAfterRestores(),
                        report.restoresUnfinished());
            }
            out.printf("after draining: %d (expected %d)%n", report.drainedTotal(), report.expectedTotal());
            report.problems().forEach(p -> out.printf("PROBLEM: %s%n", p));
            out.printf("%s%n", report.ok() ? "ok" : "NOT ok");
            out.flush();
            return report.ok() ? 0 : 1;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
