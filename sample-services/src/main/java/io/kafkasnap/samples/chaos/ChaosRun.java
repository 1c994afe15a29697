package io.kafkasnap.samples.chaos;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.samples.bank.BankMoney;
import io.kafkasnap.samples.bank.BankTopology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Bank services as real processes on a full graph, under load, while one after another is killed with SIGKILL and
 * started again, snapshots are triggered all along, and now and then the system is restored to the latest complete
 * snapshot. At the end the services are stopped, started again sending nothing, and drained. It reports what it saw:
 * the money in every complete snapshot, the failed ones by reason, every restore's duration (write to every member
 * restored) and the money after it, and the money after draining.
 */
public final class ChaosRun {

    /**
     * What to do.
     *
     * @param killBrokerEvery time between two broker kills, each broker started again half that time later (one down
     *                        at a time); zero for none
     */
    public record Plan(int services, double rate, Duration duration, Duration killEvery, Duration restoreEvery,
                       Duration triggerEvery, Duration killBrokerEvery, long seed) {
    }

    /** Kills and restarts brokers of the cluster the services run on. */
    public interface Brokers {
        List<Integer> ids();

        void kill(int id);

        void restart(int id);
    }

    /** What was seen; {@link #ok()} when money was conserved everywhere and every restore finished. */
    public record Report(int kills, int brokerKills, int snapshots, int complete, Map<String, Integer> notComplete, int violations,
                         List<Long> restoreMillis, List<Long> totalsAfterRestores, int restoresUnfinished,
                         long drainedTotal, long expectedTotal, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    private final Plan plan;
    private final String bootstrap;
    private final Properties kafka;
    private final String prefix;
    private final Path root;
    private final PrintWriter out;
    private final List<BankProcess> banks = new ArrayList<>();
    private final Brokers brokers;

    /** @param brokers the cluster's brokers, to kill when the plan says so; null when none may be killed */
    public ChaosRun(Plan plan, String bootstrap, Properties kafka, String prefix, Path root, PrintWriter out,
                    Brokers brokers) {
        if (!plan.killBrokerEvery().isZero() && brokers == null) {
            throw new IllegalArgumentException("broker kills need a cluster whose brokers can be killed");
        }
        this.brokers = brokers;
        this.plan = plan;
        this.bootstrap = bootstrap;
        this.kafka = kafka;
        this.prefix = prefix;
        this.root = root;
        this.out = out;
    }

    public Report run() throws Exception {
        Random random = new Random(plan.seed());
        BankTopology topology = BankTopology.parse("full", plan.services());
        long expected = 1000L * plan.services();
        for (int i = 0; i < plan.services(); i++) {
            banks.add(new BankProcess(i, topology, bootstrap, prefix, root, plan.seed() * 31 + i));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Integer> notComplete = new TreeMap<>();
        List<Long> restoreMillis = new ArrayList<>();
        List<Long> totalsAfterRestores = new ArrayList<>();
        int kills = 0;
        int brokerKills = 0;
        int brokerDown = -1;
        long brokerDownSince = 0;
        int snapshots = 0;
        int complete = 0;
        int violations = 0;
        int unfinished = 0;
        Set<BankProcess> starting = new LinkedHashSet<>();
        try (SnapshotCollector collector = SnapshotCollector.builder(kafka).controlTopic(prefix + "control")
                .collectionTopic(prefix + "fragments").timeout(Duration.ofSeconds(60)).build()) {
            for (BankProcess bank : banks) {
                bank.launch(plan.rate());
            }
            for (BankProcess bank : banks) {
                bank.awaitRunning();
            }
            long start = System.nanoTime();
            long end = start + plan.duration().toNanos();
            long nextTrigger = start;
            long nextKill = start + plan.killEvery().toNanos();
            long nextRestore = plan.restoreEvery().isZero() ? Long.MAX_VALUE : start + plan.restoreEvery().toNanos();
            long brokerHalf = plan.killBrokerEvery().toNanos() / 2;
            long nextBrokerKill = plan.killBrokerEvery().isZero() ? Long.MAX_VALUE : start + brokerHalf;
            Restores.Handle restore = null;
            boolean awaitingTotalAfterRestore = false;
            long latestComplete = -1;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextTrigger) {
                    collector.trigger(Optional.empty());
                    nextTrigger = now + plan.triggerEvery().toNanos();
                }
                // A killed service is started again at once but not waited for, so kills keep the announced
                // cadence; a victim still starting is killed in its start, which is a timing worth having too.
                if (now >= nextKill) {
                    BankProcess victim = banks.get(random.nextInt(banks.size()));
                    victim.kill();
                    victim.launch(plan.rate());
                    starting.add(victim);
                    kills++;
                    nextKill += plan.killEvery().toNanos();
                }
                starting.removeIf(BankProcess::checkRunning);
                if (brokerDown < 0 && now >= nextBrokerKill) {
                    List<Integer> ids = brokers.ids();
                    brokerDown = ids.get(random.nextInt(ids.size()));
                    brokers.kill(brokerDown);
                    brokerDownSince = System.nanoTime();
                    brokerKills++;
                    out.printf("broker %d killed%n", brokerDown);
                } else if (brokerDown >= 0 && now - brokerDownSince >= brokerHalf) {
                    brokers.restart(brokerDown);
                    out.printf("broker %d started again%n", brokerDown);
                    brokerDown = -1;
                    nextBrokerKill = System.nanoTime() + brokerHalf;
                }
                if (now >= nextRestore && restore == null && latestComplete >= 0) {
                    try {
                        restore = collector.restore(latestComplete, false);
                        out.printf("restore %d -> snapshot %d written%n", restore.epoch(), latestComplete);
                    } catch (Restores.RefusedException e) {
                        problems.add("restore of " + latestComplete + " refused: " + e.getMessage());
                    }
                    nextRestore = now + plan.restoreEvery().toNanos();
                }
                if (restore != null) {
                    restore.poll(Duration.ZERO);
                    if (restore.isDone()) {
                        long ms = restore.duration().orElseThrow().toMillis();
                        restoreMillis.add(ms);
                        out.printf("restore %d -> snapshot %d: every member restored in %d ms%n", restore.epoch(),
                                restore.snapshot(), ms);
                        restore.close();
                        restore = null;
                        awaitingTotalAfterRestore = true;
                    }
                }
                for (GlobalSnapshot s : collector.poll(Duration.ofMillis(100))) {
                    snapshots++;
                    if (s.status() == GlobalSnapshot.Status.COMPLETE) {
                        complete++;
                        long total = BankMoney.total(s);
                        if (total != expected) {
                            problems.add("snapshot " + s.snapshot() + " holds " + total + ", not " + expected);
                        }
                        if (awaitingTotalAfterRestore && restore == null) {
                            totalsAfterRestores.add(total);
                            awaitingTotalAfterRestore = false;
                        }
                        latestComplete = Math.max(latestComplete, s.snapshot());
                    } else {
                        if (s.status() == GlobalSnapshot.Status.INCONSISTENT) {
                            violations++;
                            problems.add("snapshot " + s.snapshot() + " is inconsistent: " + s.detail());
                        }
                        notComplete.merge(s.status().wire() + (s.reason() == null ? "" : " (" + s.reason() + ")"),
                                1, Integer::sum);
                    }
                }
            }
            for (BankProcess bank : starting) {
                bank.awaitRunning();
            }
            if (brokerDown >= 0) {
                brokers.restart(brokerDown);
                out.printf("broker %d started again%n", brokerDown);
            }
            if (restore != null) {
                if (!restore.await(PATIENCE)) {
                    unfinished++;
                    problems.add("restore " + restore.epoch() + " unfinished, missing " + restore.missing());
                } else {
                    restoreMillis.add(restore.duration().orElseThrow().toMillis());
                }
                restore.close();
            }
            for (BankProcess bank : banks) {
                bank.stop();
            }
            for (BankProcess bank : banks) {
                bank.launch(0);
            }
            for (BankProcess bank : banks) {
                bank.awaitRunning();
            }
            long drainedTotal = -1;
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                long id = collector.trigger(Optional.empty());
                Optional<GlobalSnapshot> s = collector.await(id, PATIENCE);
                if (s.isPresent() && s.get().status() == GlobalSnapshot.Status.COMPLETE
                        && s.get().inFlightMessageCount() == 0) {
                    drainedTotal = BankMoney.total(s.get());
                    break;
                }
            }
            if (drainedTotal != expected) {
                problems.add("after draining the balances hold " + drainedTotal + ", not " + expected);
            }
            return new Report(kills, brokerKills, snapshots, complete, notComplete, violations, restoreMillis, totalsAfterRestores,
                    unfinished, drainedTotal, expected, problems);
        } finally {
            banks.forEach(BankProcess::destroy);
        }
    }

    /** Nearest-rank percentile of {@code values}, or -1 when there are none. */
    public static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
