package io.kafkasnap.samples.bench;

import io.kafkasnap.kafka.Topics;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.node.SnapshotNodeConfig;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The event loop's capture pause against the size of the local state (goal P4). A sink node's state is filled through
 * its own state API, in steps of {@link #FILL_STEP_KEYS} values of {@link #VALUE_BYTES} each, from a timer on its
 * loop; then, while a source node keeps sending it a steady stream (its handler updates a counter in the state),
 * snapshots are taken one after the other. The pause of each is the delta of the sink's {@code kafkasnap.capture.pause}
 * timer (the loop's own measurement with the engine's clock), the read-out the delta of its
 * {@code kafkasnap.fragment.publish} timer (the fragment thread: read the capture, cut it into chunks, send them, until
 * the last is acknowledged).
 */
public final class CaptureBench {

    static final int VALUE_BYTES = 1024;
    static final int FILL_STEP_KEYS = 1024;
    private static final Duration LONGEST_SNAPSHOT = Duration.ofMinutes(10);

    /**
     * What one state size measured.
     *
     * @param pausesMicros the capture pause of every snapshot, microseconds
     * @param readOutMillis per snapshot whose fragment was published: handed to the fragment thread -> last chunk
     *                      acknowledged
     * @param ended        snapshots by how they ended at the sink: {@code published}, or {@code aborted/REASON}
     */
    public record Result(long stateBytes, long keys, Duration fill, Histogram pausesMicros, List<Double> readOutMillis,
                         double meanFragmentBytes, Map<String, Integer> ended, double loadBefore, double loadAfter,
                         List<Long> fullFragmentBytes, List<Long> incrementalFragmentBytes) {
    }

    /**
     * How the sinks publish and change their state between snapshots.
     *
     * @param fullEvery      the sinks' {@code kafkasnap.fragment.full.every}
     * @param changedPercent before every snapshot but the first, each sink rewrites this share of its keys (drawn at
     *                       random, with new random values) and the snapshot waits until it has
     */
    public record Changes(int fullEvery, double changedPercent) {
        public static final Changes NONE = new Changes(1, 0);
    }

    private final Map<String, Object> kafka;
    private final String prefix;
    private final Path stateRoot;
    private final Changes changes;
    private int runs;

    public CaptureBench(Map<String, Object> kafka, String prefix, Path stateRoot) {
        this(kafka, prefix, stateRoot, Changes.NONE);
    }

    public CaptureBench(Map<String, Object> kafka, String prefix, Path stateRoot, Changes changes) {
        this.changes = changes;
        this.kafka = kafka;
        this.prefix = prefix;
        this.stateRoot = stateRoot;
    }

    /**
     * Fills one sink per size, then takes {@code snapshots} rounds of one snapshot at every size in turn, so that each
     * size is measured under the same load of the machine.
     *
     * @param sizes value bytes to put in each sink's state before measuring (rounded up to whole 1 KB values)
     * @param rate  records per second each source sends its sink during the snapshots
     */
    public List<Result> run(List<Long> sizes, int snapshots, double rate, long seed) throws InterruptedException {
        List<Rig> rigs = new ArrayList<>();
        try {
            for (long size : sizes) {
                rigs.add(new Rig(size, rate, seed));
                rigs.get(rigs.size() - 1).awaitFilled(); // one at a time: filling is what the machine does then
            }
            double loadBefore = load();
            for (int i = 0; i < snapshots; i++) {
                for (Rig rig : rigs) {
                    rig.snapshot();
                }
            }
            double loadAfter = load();
            List<Result> results = new ArrayList<>();
            for (Rig rig : rigs) {
                results.add(rig.result(loadBefore, loadAfter));
            }
            return results;
        } finally {
            for (Rig rig : rigs) {
                rig.close();
            }
        }
    }

    /** A source sending to a sink whose state holds one size. */
    private final class Rig implements AutoCloseable {
        private final String run = prefix + "capture." + (++runs);
        private final Path dir = stateRoot.resolve(run);
        private final String sinkId = "capture-sink-" + runs;
        private final String sourceId = "capture-source-" + runs;
        private final long keys;
        private final CountDownLatch filled = new CountDownLatch(1);
        private final long fillStart = System.nanoTime();
        private Duration fill;
        private final MeterRegistry meters = new SimpleMeterRegistry();
        private final List<SnapshotNode> nodes;
        private final TriggerPublisher triggers;
        private final Histogram pauses = new Histogram(3);
        private final List<Double> readOuts = new ArrayList<>();
        private final Map<String, Integer> ended = new java.util.TreeMap<>();
        private final List<Long> fullBytes = new ArrayList<>();
        private final List<Long> incrementalBytes = new ArrayList<>();
        /** Keys the sink still has to rewrite before the next snapshot; set here, counted down on its loop. */
        private final java.util.concurrent.atomic.AtomicLong toChange = new java.util.concurrent.atomic.AtomicLong();
        private int snapshots;

        Rig(long stateBytes, double rate, long seed) {
            String channel = run + ".source.sink";
            String control = run + ".control";
            String collection = run + ".fragments";
            Map<String, Map<String, String>> topics = new LinkedHashMap<>();
            topics.put(channel, Map.of());
            topics.put(control, Topics.KEEP_FOREVER);
            // Fragments of a large state would fill the disk over K snapshots, and nothing here reads them back: the
            // broker drops old segments (see the bench's log.retention.check.interval.ms).
            topics.put(collection, Map.of("segment.bytes", String.valueOf(16 << 20),
                    "retention.bytes", String.valueOf(64 << 20), "retention.ms", "60000"));
            Kafka.createTopics(kafka, topics);
            keys = Math.max(1, (stateBytes + VALUE_BYTES - 1) / VALUE_BYTES);
            long[] written = {0};
            SplittableRandom random = new SplittableRandom(seed);
            SnapshotNode sink = settings(SnapshotNode.builder())
                    .processId(sinkId)
                    .kafkaProperties(kafka)
                    .meterRegistry(meters)
                    .stateDir(dir.resolve("sink"))
                    .controlTopic(control)
                    .collectionTopic(collection)
                    .incoming(channel)
                    .onRecord((ctx, record) -> ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1))
                    .setting(SnapshotNodeConfig.FRAGMENT_FULL_EVERY, changes.fullEvery())
                    .timer(Duration.ofMillis(1), ctx -> {
                        long change = toChange.get();
                        if (written[0] >= keys && change > 0) {
                            long n = Math.min(change, FILL_STEP_KEYS);
                            for (long i = 0; i < n; i++) {
                                byte[] value = new byte[VALUE_BYTES];
                                random.nextBytes(value);
                                ctx.state().put(String.format("fill-%010d", random.nextLong(keys)), value);
                            }
                            toChange.addAndGet(-n); // the snapshot triggered after it sees this step committed
                            return;
                        }
                        if (written[0] >= keys) {
                            return;
                        }
                        long end = Math.min(keys, written[0] + FILL_STEP_KEYS);
                        for (long k = written[0]; k < end; k++) {
                            byte[] value = new byte[VALUE_BYTES];
                            random.nextBytes(value);
                            ctx.state().put(String.format("fill-%010d", k), value);
                        }
                        written[0] = end;
                        if (end == keys) {
                            filled.countDown(); // a snapshot waiting for it commits this step before it captures
                        }
                    })
                    .build();
            FixedRate due = new FixedRate(rate);
            long[] sent = {0};
            boolean[] started = {false};
            byte[] record = new byte[100];
            SnapshotNode source = settings(SnapshotNode.builder())
                    .processId(sourceId)
                    .kafkaProperties(kafka)
                    .meterRegistry(meters)
                    .stateDir(dir.resolve("source"))
                    .controlTopic(control)
                    .collectionTopic(collection)
                    .outgoing(channel)
                    .timer(Duration.ofMillis(1), ctx -> {
                        if (filled.getCount() > 0) {
                            return;
                        }
                        if (!started[0]) {
                            started[0] = true;
                            due.start(System.nanoTime());
                        }
                        long now = System.nanoTime();
                        while (due.dueNanos(sent[0]) <= now) {
                            ctx.send(channel, record);
                            sent[0]++;
                        }
                    })
                    .build();
            nodes = List.of(sink, source);
            Nodes.startAll(nodes);
            triggers = new TriggerPublisher(kafka, control);
        }

        void awaitFilled() throws InterruptedException {
            if (!filled.await(30, TimeUnit.MINUTES)) {
                Nodes.requireHealthy(nodes);
                throw new IllegalStateException("the sink's state was not filled with " + keys + " keys in 30 min");
            }
            fill = Duration.ofNanos(System.nanoTime() - fillStart);
        }

        /** Takes one snapshot and waits until it ended at both nodes. */
        void snapshot() {
            if (snapshots++ > 0 && changes.changedPercent() > 0) {
                toChange.set(Math.max(1, Math.round(keys * changes.changedPercent() / 100)));
                await(nodes, () -> toChange.get() == 0, "the change of the sink's keys");
            }
            DistributionSummary fragment = meters.get("kafkasnap.fragment.bytes").tag("process", sinkId).summary();
            Counter incremental = meters.get("kafkasnap.fragments.incremental").tag("process", sinkId).counter();
            double bytesBefore = fragment.totalAmount();
            double incrementalBefore = incremental.count();
            Ends sinkEnds = new Ends(meters, sinkId);
            Ends sourceEnds = new Ends(meters, sourceId);
            Timer pause = meters.get("kafkasnap.capture.pause").tag("process", sinkId).timer();
            Timer readOut = meters.get("kafkasnap.fragment.publish").tag("process", sinkId).timer();
            long captures = pause.count();
            double pausedNanos = pause.totalTime(TimeUnit.NANOSECONDS);
            long published = readOut.count();
            double readNanos = readOut.totalTime(TimeUnit.NANOSECONDS);
            double sinkEnded = sinkEnds.total();
            double sourceEnded = sourceEnds.total();
            long id = triggers.trigger(Optional.empty());
            await(nodes, () -> pause.count() > captures, "the capture of snapshot " + id);
            pauses.recordValue(Math.round((pause.totalTime(TimeUnit.NANOSECONDS) - pausedNanos) / 1e3));
            await(nodes, () -> sinkEnds.total() > sinkEnded && sourceEnds.total() > sourceEnded,
                    "the end of snapshot " + id + " at both nodes");
            if (readOut.count() > published) {
                readOuts.add((readOut.totalTime(TimeUnit.NANOSECONDS) - readNanos) / 1e6);
                ended.merge("published", 1, Integer::sum);
                long bytes = Math.round(fragment.totalAmount() - bytesBefore);
                (incremental.count() > incrementalBefore ? incrementalBytes : fullBytes).add(bytes);
            } else {
                ended.merge("aborted/" + sinkEnds.lastReason(), 1, Integer::sum);
            }
        }

        Result result(double loadBefore, double loadAfter) {
            DistributionSummary bytes = meters.get("kafkasnap.fragment.bytes").tag("process", sinkId).summary();
            return new Result(keys * VALUE_BYTES, keys, fill, pauses, readOuts, bytes.mean(), ended, loadBefore,
                    loadAfter, fullBytes, incrementalBytes);
        }

        @Override
        public void close() {
            triggers.close();
            Nodes.closeAll(nodes);
            deleteTree(dir); // up to a GB per size
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    private static SnapshotNode.Builder settings(SnapshotNode.Builder builder) {
        // A fragment of a large state takes long to read out and send; the default timeout would abort it.
        return builder.setting(SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS, LONGEST_SNAPSHOT.toMillis());
    }

    /** The machine's one-minute load average, as {@code uptime} shows it. */
    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void await(List<SnapshotNode> nodes, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LONGEST_SNAPSHOT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                Nodes.requireHealthy(nodes);
                throw new IllegalStateException(what + " did not come within " + LONGEST_SNAPSHOT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** How many snapshots ended at one node: fragments published plus snapshots aborted, by the node's meters. */
    private static final class Ends {
        private final MeterRegistry meters;
        private final String process;
        private final Map<String, Double> seen = new LinkedHashMap<>();
        private String lastReason = "unknown";

        Ends(MeterRegistry meters, String process) {
            this.meters = meters;
            this.process = process;
        }

        double total() {
            double total = meters.get("kafkasnap.fragment.publish").tag("process", process).timer().count();
            for (Counter aborted : meters.find("kafkasnap.snapshots.aborted").tag("process", process).counters()) {
                String reason = aborted.getId().getTag("reason");
                double count = aborted.count();
                if (count > seen.getOrDefault(reason, 0.0)) {
                    lastReason = reason;
                }
                seen.put(reason, count);
                total += count;
            }
            return total;
        }

        String lastReason() {
            return lastReason;
        }
    }
}
