package io.kafkasnap.samples.bench;

import io.kafkasnap.collect.RestoreHistory;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.kafka.Topics;
import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotRunner;
import io.kafkasnap.tools.common.TriggerPublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Restore latency with a long past on the topics: a bank of {@code services} branches starts on topics that already
 * hold {@code history} snapshots spread over {@code span} (see {@link SnapshotHistory}), then is restored
 * {@code restores} times, each time to a snapshot taken just before. Measured per restore: from the restore record's
 * timestamp to the last member's {@code restored} record's (broker-side CreateTime of both, one JVM's clock), and,
 * apart, how long the writer took to check the snapshot and write the record.
 */
public final class RestoreBench {

    /** What one run measured. */
    public record Result(int services, int historyFragments, double historyFragmentBytes, long collectionRecords,
                         Bench.Latencies restored, Bench.Latencies writer, List<String> lines) {
    }

    private final Map<String, Object> kafka;
    private final Path stateRoot;

    public RestoreBench(Map<String, Object> kafka, Path stateRoot) {
        this.kafka = kafka;
        this.stateRoot = stateRoot;
    }

    /**
     * @param run prefix of every topic of this run
     * @throws IllegalStateException naming the restore that did not finish within a minute
     */
    public Result run(String run, int services, int history, Duration span, int restores, double rate, long seed)
            throws Exception {
        String control = run + ".control";
        String collection = run + ".fragments";
        Map<String, Map<String, String>> topics = new LinkedHashMap<>();
        topics.put(control, Topics.KEEP_FOREVER);
        topics.put(collection, Topics.KEEP_FOREVER);
        Kafka.createTopics(kafka, topics);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            members.add(BankTopology.processId(i));
        }
        SnapshotHistory.Written past = SnapshotHistory.write(kafka, control, collection, history, members, span,
                System.currentTimeMillis());
        Properties props = new Properties();
        props.putAll(kafka);
        BankCluster.Config config = new BankCluster.Config(kafka, BankTopology.parse("ring", services), run + ".",
                control, collection, stateRoot.resolve(run), 1000, rate, seed);
        double[] writer = new double[restores];
        List<Long> epochs = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (BankCluster bank = BankCluster.start(config);
             // The history written above is no run of this bench's nodes: only snapshots from now on are assembled.
             SnapshotFeed feed = CollectorFeed.open(kafka, control, collection, Duration.ofSeconds(30), Integer.MAX_VALUE,
                     Optional.of(Instant.now()));
             TriggerPublisher publisher = new TriggerPublisher(kafka, control)) {
            SnapshotRunner runner = new SnapshotRunner(publisher, feed);
            for (int r = 0; r < restores; r++) {
                long snapshot = completeSnapshot(runner);
                long begin = System.nanoTime();
                try (Restores.Handle handle = Restores.restore(props, control, collection, snapshot, false)) {
                    writer[r] = (System.nanoTime() - begin) / 1e6;
                    if (!handle.await(Duration.ofMinutes(1))) {
                        throw new IllegalStateException("restore " + handle.epoch() + " -> snapshot " + snapshot
                                + ": " + handle.missing() + " did not restore within a minute");
                    }
                    epochs.add(handle.epoch());
                }
            }
        }
        RestoreHistory restored = RestoreHistory.read(props, control, Duration.ofSeconds(60));
        double[] millis = new double[epochs.size()];
        for (int i = 0; i < epochs.size(); i++) {
            RestoreHistory.Restore r = restored.restore(epochs.get(i)).orElseThrow();
            millis[i] = r.duration().orElseThrow().toMillis();
            lines.add(String.format("restore %d -> snapshot %d: writer %.0f ms, write -> every member restored %d ms",
                    r.epoch(), r.snapshot(), writer[i], r.duration().orElseThrow().toMillis()));
        }
        return new Result(services, past.fragments(), past.meanFragmentBytes(), Kafka.endOffset(kafka, collection), new Bench.Latencies(millis),
                new Bench.Latencies(writer), lines);
    }

    /** Triggers snapshots until one is complete; its id. */
    private static long completeSnapshot(SnapshotRunner runner) {
        for (int attempt = 0; attempt < 5; attempt++) {
            SnapshotRunner.Taken taken = runner.take(Duration.ofSeconds(35));
            if (taken.view().isPresent() && taken.view().get().isComplete()) {
                return taken.id();
            }
        }
        throw new IllegalStateException("five snapshots in a row were not complete; see the log");
    }
}
