package io.kafkasnap.samples.bench;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.bank.BankCheck;
import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.samples.pipeline.PipelineCheck;
import io.kafkasnap.samples.pipeline.PipelineCluster;
import io.kafkasnap.samples.pipeline.PipelineService;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotRunner;
import io.kafkasnap.tools.common.TriggerPublisher;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The measurements of {@code kafkasnap bench}, all against one broker in one run, so that the middleware's figures
 * can be read as ratios to plain Kafka's.
 */
public final class Bench {

    private static final Duration LONGEST_RUN = Duration.ofMinutes(10);

    private final Map<String, Object> kafka;
    private final String prefix;
    private final Path stateRoot;
    private int runs;

    private final Map<String, String> nodeSettings;
    public Bench(Map<String, Object> kafka, String prefix, Path stateRoot) {
        this(kafka, prefix, stateRoot, Map.of());
    }

    /** @param nodeSettings node settings ({@code kafkasnap.*}) for the throughput run's source and sink */
    public Bench(Map<String, Object> kafka, String prefix, Path stateRoot, Map<String, String> nodeSettings) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.stateRoot = stateRoot;
        this.nodeSettings = Map.copyOf(nodeSettings);
    }

    private SnapshotNode.Builder withSettings(SnapshotNode.Builder builder) {
        nodeSettings.forEach(builder::setting);
        return builder;
    }

    /**
     * Records per second, with what was measured.
     *
     * @param counted what the receiving end counted: records the plain consumer got, the sink node's {@code count}
     *     state, the Kafka Streams app's store count
     */
    public record Throughput(long records, int recordBytes, Duration elapsed, long counted) {
        public double perSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }
    }

    /** Latencies in milliseconds, sorted. */
    public record Latencies(double[] millis) {
        public Latencies {
            millis = millis.clone();
            Arrays.sort(millis);
        }

        /** Nearest-rank percentile, p in (0, 100]. */
        public double percentile(double p) {
            if (millis.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * millis.length);
            return millis[Math.max(0, Math.min(millis.length - 1, rank - 1))];
        }

        public int count() {
            return millis.length;
        }
    }

    private String nextTopic(String what) {
        return prefix + what + "." + (++runs);
    }

    /**
     * A plain kafka-clients producer sends {@code records} values of {@code recordBytes} to a one-partition topic as
     * fast as it can; a plain consumer in assign mode reads them. Elapsed: first send to last record consumed.
     */
    public Throughput plainThroughput(long records, int recordBytes) throws InterruptedException {
        String topic = nextTopic("plain");
        Kafka.createTopics(kafka, List.of(topic));
        byte[] value = new byte[recordBytes];
        Arrays.fill(value, (byte) 'x');
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.poll(Duration.ZERO);
            AtomicLong failures = new AtomicLong();
            long begin = System.nanoTime();
            Thread sender = sendAll(producer, topic, records, value, failures);
            long received = readAll("plain run", consumer, records, begin, () -> { });
            long elapsed = System.nanoTime() - begin;
            sender.join();
            if (failures.get() > 0) {
                throw new IllegalStateException("plain run: " + failures.get() + " sends failed");
            }
            return new Throughput(records, recordBytes, Duration.ofNanos(elapsed), received);
        }
    }

    /**
     * The same work through the middleware: a source node sends {@code records} values of {@code recordBytes} on its
     * one outgoing channel from a timer on its event loop, as fast as the loop lets it; a sink node counts them in its
     * state ({@code count}). No snapshot runs. Elapsed: first send to the sink's handler seeing the last record.
     */
    public Throughput middlewareThroughput(long records, int recordBytes) throws InterruptedException {
        return middlewareRun(records, recordBytes, null).throughput();
    }

    /**
     * A middleware run with snapshots taken during it.
     *
     * @param triggered snapshots triggered while the records flowed
     * @param complete  of those, how many the collector found complete once the last record was counted (the nodes
     *                  kept running until each was assembled or 30 s had passed)
     * @param others    the rest by status and reason, e.g. {@code failed/too-many-concurrent} when triggers come
     *                  faster than snapshots finish; {@code none} for one not assembled within 30 s
     */
    public record SnapshottedRun(Throughput throughput, int triggered, int complete, Map<String, Integer> others) {
    }

    /**
     * {@link #middlewareThroughput} with a snapshot triggered every {@code every} from the first send until the sink
     * counted the last record (the throughput goal "a snapshot every second"): the trigger goes to the control topic as
     * any client writes one, and every node takes part.
     */
    public SnapshottedRun middlewareThroughputWithSnapshots(long records, int recordBytes, Duration every)
            throws InterruptedException {
        return middlewareRun(records, recordBytes, every);
    }

    private SnapshottedRun middlewareRun(long records, int recordBytes, Duration every) throws InterruptedException {
        String run = nextTopic("mw");
        String channel = run + ".source.sink";
        String control = run + ".control";
        String collection = run + ".fragments";
        Kafka.createTopics(kafka, List.of(channel, control, collection));
        byte[] value = new byte[recordBytes];
        Arrays.fill(value, (byte) 'x');
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong counted = new AtomicLong();
        AtomicLong stateCount = new AtomicLong();
        long[] begin = {0};
        long[] sent = {0};
        int perTick = 2000;
        SnapshotNode sink = withSettings(SnapshotNode.builder())
                .processId("bench-sink")
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(run).resolve("sink"))
                .controlTopic(control)
                .collectionTopic(collection)
                .incoming(channel)
                .onRecord((ctx, record) -> {
                    long count = ctx.state().getLong("count", 0) + 1;
                    ctx.state().putLong("count", count);
                    stateCount.set(count);
                    if (counted.incrementAndGet() == records) {
                        done.countDown();
                    }
                })
                .build();
        CountDownLatch go = new CountDownLatch(1);
        SnapshotNode source = withSettings(SnapshotNode.builder())
                .processId("bench-source")
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(run).resolve("source"))
                .controlTopic(control)
                .collectionTopic(collection)
                .outgoing(channel)
                .timer(Duration.ofMillis(1), ctx -> {
                    if (go.getCount() > 0 || sent[0] >= records) {
                        return;
                    }
                    if (sent[0] == 0) {
                        begin[0] = System.nanoTime();
                    }
                    long n = Math.min(perTick, records - sent[0]);
                    for (long i = 0; i < n; i++) {
                        ctx.send(channel, value);
                    }
                    sent[0] += n;
                })
                .build();
        List<SnapshotNode> nodes = List.of(sink, source);
        Nodes.startAll(nodes);
        List<Long> triggered = new CopyOnWriteArrayList<>();
        AtomicReference<RuntimeException> triggerFailure = new AtomicReference<>();
        ScheduledExecutorService triggers = every == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-triggers");
            t.setDaemon(true);
            return t;
        });
        try (TriggerPublisher publisher = every == null ? null : new TriggerPublisher(kafka, control)) {
            go.countDown();
            if (triggers != null) {
                triggers.scheduleAtFixedRate(() -> {
                    try {
                        triggered.add(publisher.trigger(Optional.empty()));
                    } catch (RuntimeException e) {
                        triggerFailure.compareAndSet(null, e);
                        throw e; // ends the schedule: a run whose triggers fail measures nothing it claims to
                    }
                }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!done.await(LONGEST_RUN.toMillis(), TimeUnit.MILLISECONDS)) {
                Nodes.requireHealthy(nodes);
                throw new IllegalStateException("middleware run: only " + counted.get() + " of " + records
                        + " records within " + LONGEST_RUN);
            }
            long end = System.nanoTime();
            Throughput throughput = new Throughput(records, recordBytes, Duration.ofNanos(end - begin[0]),
                    stateCount.get());
            if (triggers == null) {
                return new SnapshottedRun(throughput, 0, 0, Map.of());
            }
            triggers.shutdown();
            if (!triggers.awaitTermination(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a trigger write did not return within 60 s");
            }
            if (triggerFailure.get() != null) {
                throw new IllegalStateException("middleware run with snapshots: a trigger failed: "
                        + triggerFailure.get().getMessage(), triggerFailure.get());
            }
            Map<String, Integer> outcomes = outcomes(control, collection, triggered);
            int complete = outcomes.getOrDefault("complete", 0);
            outcomes.remove("complete");
            return new SnapshottedRun(throughput, triggered.size(), complete, outcomes);
        } finally {
            if (triggers != null) {
                triggers.shutdownNow();
            }
            Nodes.closeAll(nodes);
        }
    }

    /** What became of {@code ids}: counts by status (and reason, if any), waiting at most 30 s for each. */
    private Map<String, Integer> outcomes(String control, String collection, List<Long> ids) {
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        try (SnapshotFeed feed = CollectorFeed.open(kafka, control, collection, Duration.ofSeconds(30))) {
            for (long id : ids) {
                String outcome = feed.await(id, Duration.ofSeconds(30))
                        .map(v -> v.status() + (v.reason() == null || v.reason().isEmpty() ? "" : "/" + v.reason()))
                        .orElse("none");
                outcomes.merge(outcome, 1, Integer::sum);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not read the snapshots of the run: " + e.getMessage(), e);
        }
        return outcomes;
    }


    /** Kafka Streams' processing guarantees compared. */
    public enum Guarantee {
        AT_LEAST_ONCE("at_least_once"),
        EXACTLY_ONCE_V2("exactly_once_v2");

        private final String config;

        Guarantee(String config) {
            this.config = config;
        }

        /** The value of {@code processing.guarantee}. */
        public String config() {
            return config;
        }
    }

    /**
     * The same records through a Kafka Streams app (see {@link StreamsApp}): a plain producer sends {@code records}
     * values of {@code recordBytes} to {@code in} as fast as it can (as in {@link #plainThroughput}); the app counts
     * each in its RocksDB store and forwards it to {@code out}; a read_committed consumer reads {@code out}. Fresh
     * topics, application id and state directory per run; the app runs before the clock starts. Elapsed: first send
     * into {@code in} to the last record read from {@code out}.
     */
    public Throughput streamsThroughput(Guarantee guarantee, long records, int recordBytes)
            throws InterruptedException {
        String run = nextTopic("streams-" + guarantee.config());
        String in = run + ".in";
        String out = run + ".out";
        Kafka.createTopics(kafka, List.of(in, out));
        byte[] value = new byte[recordBytes];
        Arrays.fill(value, (byte) 'x');
        TopicPartition partition = new TopicPartition(out, 0);
        try (StreamsApp app = StreamsApp.start(kafka, applicationId(run), guarantee, stateRoot.resolve(run), in, out);
             KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                     "read_committed"));
             KafkaProducer<byte[], byte[]> producer = producer()) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.poll(Duration.ZERO);
            AtomicLong failures = new AtomicLong();
            long begin = System.nanoTime();
            Thread sender = sendAll(producer, in, records, value, failures);
            long received = readAll("Kafka Streams " + guarantee.config() + " run", consumer, records, begin,
                    app::requireHealthy);
            long elapsed = System.nanoTime() - begin;
            sender.join();
            if (failures.get() > 0) {
                throw new IllegalStateException("Kafka Streams run: " + failures.get() + " sends failed");
            }
            if (received != records) {
                throw new IllegalStateException("Kafka Streams " + guarantee.config() + " run: " + received
                        + " records read from " + out + ", " + records + " sent");
            }
            return new Throughput(records, recordBytes, Duration.ofNanos(elapsed), app.counted());
        }
    }

    /** Warm-up probes of a fixed-rate latency run: its first second, and never more than the counted samples. */
    public static int warmupProbes(double rate, int samples) {
        return (int) Math.min(samples, Math.ceil(rate));
    }

    /**
     * Plain produce → consume latency at a fixed rate: a producer (linger 0, as the node's channel producer) sends
     * {@code rate} stamped records/s to a one-partition topic, open loop; a consumer (kafka-clients defaults) reads
     * them, and each record's latency is its arrival minus its stamp. The first second is warm-up, not counted.
     */
    public Latencies plainRateLatency(double rate, int samples) throws InterruptedException {
        String topic = nextTopic("rate-latency");
        Kafka.createTopics(kafka, List.of(topic));
        return new ProbeRun(kafka).run("plain fixed-rate latency", topic, topic, false, rate,
                new LatencySamples(warmupProbes(rate, samples), samples), LONGEST_RUN);
    }

    /**
     * Latency through one node hop, outbox on (the node's default), as a service sees it: a feeding node's timer sends
     * {@code rate} records/s to node A; A's handler sends each on to node B, stamped with {@link System#nanoTime()}
     * as it calls {@code send}; B's handler takes each one's latency as it sees it, then counts it in its state. A's
     * step commits its outbox before the record goes to Kafka, so the figure includes that commit. The first second
     * is warm-up, not counted.
     */
    public Latencies hopLatency(double rate, int samples) throws InterruptedException {
        return new HopRun(kafka, stateRoot, LONGEST_RUN).run(nextTopic("hop"), rate, samples, true);
    }

    /**
     * As {@link #hopLatency}, but node A's timer sends the stamped records itself. A timer's sends leave with its
     * step's commit, which comes after the step's poll: they wait for the poll to return, up to the next timer tick.
     */
    public Latencies timerHopLatency(double rate, int samples) throws InterruptedException {
        return new HopRun(kafka, stateRoot, LONGEST_RUN).run(nextTopic("timer-hop"), rate, samples, false);
    }

    /**
     * Produce → {@code in} → Kafka Streams app → {@code out} → consume latency at a fixed rate (the app of
     * {@link #streamsThroughput}; producer and consumer as in {@link #plainRateLatency}, the consumer
     * read_committed). The first second is warm-up, not counted.
     */
    public Latencies streamsLatency(Guarantee guarantee, double rate, int samples) throws InterruptedException {
        String run = nextTopic("streams-latency-" + guarantee.config());
        String in = run + ".in";
        String out = run + ".out";
        Kafka.createTopics(kafka, List.of(in, out));
        try (StreamsApp app = StreamsApp.start(kafka, applicationId(run), guarantee, stateRoot.resolve(run), in,
                out)) {
            Latencies latencies = new ProbeRun(kafka).run("Kafka Streams " + guarantee.config() + " latency", in, out,
                    true, rate, new LatencySamples(warmupProbes(rate, samples), samples), LONGEST_RUN);
            app.requireHealthy();
            return latencies;
        }
    }

    private static String applicationId(String run) {
        return run.replaceAll("[^a-zA-Z0-9._-]", "-");
    }

    /** Sends {@code records} copies of {@code value} to partition 0 of {@code topic} from a new thread; flushes. */
    private static Thread sendAll(KafkaProducer<byte[], byte[]> producer, String topic, long records, byte[] value,
                                  AtomicLong failures) {
        Thread sender = new Thread(() -> {
            for (long i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, value), (m, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }, "bench-producer");
        sender.start();
        return sender;
    }

    /** Polls until {@code records} records came; {@code check} runs between polls to fail early. */
    private static long readAll(String what, KafkaConsumer<byte[], byte[]> consumer, long records, long begin,
                                Runnable check) {
        long received = 0;
        long deadline = begin + LONGEST_RUN.toNanos();
        while (received < records) {
            received += consumer.poll(Duration.ofMillis(100)).count();
            check.run();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": only " + received + " of " + records
                        + " records within " + LONGEST_RUN);
            }
        }
        return received;
    }

    /**
     * The broker's plain end-to-end latency: one record at a time, from {@code send} to the consumer's poll returning
     * it, same process (no clock skew).
     */
    public Latencies plainLatency(int samples) {
        String topic = nextTopic("latency");
        Kafka.createTopics(kafka, List.of(topic));
        TopicPartition partition = new TopicPartition(topic, 0);
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(consumerProps);
             KafkaProducer<byte[], byte[]> producer = producer(producerProps)) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition);
            double[] latencies = new double[samples];
            for (int i = -Math.min(50, samples); i < samples; i++) { // the first sends warm up: not counted
                long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, 0, null, ByteBuffer.allocate(8).putLong(sentAt).array()));
                boolean seen = false;
                long deadline = sentAt + TimeUnit.SECONDS.toNanos(30);
                while (!seen) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        seen |= ByteBuffer.wrap(record.value()).getLong() == sentAt;
                    }
                    if (!seen && System.nanoTime() > deadline) {
                        throw new IllegalStateException("a record did not come back within 30 s");
                    }
                }
                if (i >= 0) {
                    latencies[i] = (System.nanoTime() - sentAt) / 1e6;
                }
            }
            return new Latencies(latencies);
        }
    }

    /**
     * Result of a snapshot-latency run.
     *
     * @param latencies trigger written → assembled and checked snapshot read here (wall clock, this process)
     * @param fragmentsComplete trigger record's timestamp → last fragment record's timestamp (broker timestamps):
     *     the protocol's part, without the assembler's consistency check
     * @param channels channels in the topology, each of which the assembler reads to check rules 1–3
     * @param phases where the time went, phase by phase, from the members' timelines
     * @param memory this JVM's memory while the cluster ran (after its warm-up snapshots) minus before it started,
     *     both after full collections
     * @param warmups snapshots taken before the counted ones ({@link SnapshotWarmup})
     */
    public record SnapshotLatencies(int services, String topology, int channels, Latencies latencies,
                                    Latencies fragmentsComplete, int bad, long inFlightTotal, PhaseBreakdown phases,
                                    MemorySample memory, int warmups) {
    }

    /** A snapshot's check for a run: ok or not, and how many records it found in flight. */
    private interface Checker {
        Checked check(io.kafkasnap.tools.common.SnapshotView view);
    }

    private record Checked(boolean ok, long inFlight) {
    }

    /**
     * Trigger-to-assembled latency of {@code snapshots} snapshots taken one after another on a bank of
     * {@code services} branches sending {@code rate} transfers/s each. Every snapshot is also checked (complete,
     * consistent, money conserved); {@code bad} counts those that were not.
     */
    public SnapshotLatencies snapshotLatency(int services, String topology, double rate, int snapshots,
                                             SnapshotWarmup warmup, long seed) {
        String run = nextTopic("snap" + services);
        String control = run + ".control";
        String collection = run + ".fragments";
        BankCluster.Config config = new BankCluster.Config(kafka, BankTopology.parse(topology, services), run + ".",
                control, collection, stateRoot.resolve(run), 1000, rate, seed);
        MemorySample before = MemorySample.take();
        try (BankCluster bank = BankCluster.start(config)) {
            return snapshots(services, topology, config.topology().edges().size(), control, collection, snapshots,
                    warmup, before, view -> {
                        BankCheck.Result check = BankCheck.check(view, OptionalLong.of(bank.expectedTotal()));
                        return new Checked(check.ok(), check.inFlight());
                    });
        }
    }

    /**
     * The same on the pipeline sample ({@code source → worker-1, worker-2 → sink}, 4 channels), the source
     * producing {@code rate} items/s: each snapshot is checked complete and consistent, with every produced item
     * counted once, in flight or by the sink.
     */
    public SnapshotLatencies pipelineSnapshotLatency(double rate, int snapshots, SnapshotWarmup warmup, long seed) {
        String run = nextTopic("pipeline");
        String control = run + ".control";
        String collection = run + ".fragments";
        String topics = run + ".";
        MemorySample before = MemorySample.take();
        try (PipelineCluster pipeline = PipelineCluster.start(kafka, topics, control, collection,
                stateRoot.resolve(run), rate, seed)) {
            return snapshots(pipeline.nodes().size(), "pipeline", PipelineService.allTopics(topics).size(), control,
                    collection, snapshots, warmup, before, view -> {
                        PipelineCheck.Result check = PipelineCheck.check(view, topics);
                        return new Checked(check.ok(), check.inFlight());
                    });
        }
    }

    /** Takes the warm-up snapshots, then {@code snapshots} counted ones, one after another, checking each. */
    private SnapshotLatencies snapshots(int services, String topology, int channels, String control,
                                        String collection, int snapshots, SnapshotWarmup warmup,
                                        MemorySample before, Checker checker) {
        double[] millis = new double[snapshots];
        double[] protocol = new double[snapshots];
        int bad = 0;
        long inFlight = 0;
        int warmups;
        PhaseBreakdown phases = new PhaseBreakdown();
        MemorySample memory;
        try (SnapshotFeed feed = CollectorFeed.open(kafka, control, collection, Duration.ofSeconds(30));
             TriggerPublisher publisher = new TriggerPublisher(kafka, control)) {
            SnapshotRunner runner = new SnapshotRunner(publisher, feed);
            warmups = warmUp(runner, warmup);
            memory = MemorySample.take().minus(before); // every node has run and snapshotted by now
            for (int i = 0; i < snapshots; i++) {
                SnapshotRunner.Taken taken = runner.take(Duration.ofSeconds(35));
                millis[i] = taken.elapsed().toNanos() / 1e6;
                if (taken.view().isEmpty()) {
                    bad++;
                    continue;
                }
                protocol[i] = taken.view().get().assemblerMillis();
                phases.add(taken.view().get(), millis[i]);
                Checked check = checker.check(taken.view().get());
                bad += check.ok() ? 0 : 1;
                inFlight += check.inFlight();
            }
        }
        return new SnapshotLatencies(services, topology, channels, new Latencies(millis), new Latencies(protocol),
                bad, inFlight, phases, memory, warmups);
    }

    /** Takes warm-up snapshots in batches while {@code warmup} asks for another; returns how many it took. */
    private static int warmUp(SnapshotRunner runner, SnapshotWarmup warmup) {
        int taken = 0;
        double previous = Double.NaN;
        for (int batch = 1; ; batch++) {
            double[] protocol = new double[warmup.batch()];
            for (int i = 0; i < warmup.batch(); i++) {
                SnapshotRunner.Taken snapshot = runner.take(Duration.ofSeconds(35));
                protocol[i] = snapshot.view().map(v -> (double) v.assemblerMillis())
                        .orElse(snapshot.elapsed().toNanos() / 1e6);
                taken++;
            }
            double median = new Latencies(protocol).percentile(50);
            if (!warmup.another(batch, previous, median)) {
                return taken;
            }
            previous = median;
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    private KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(kafka);
        // what the middleware's channels need too: idempotent, acks=all (both are also kafka-clients' defaults)
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putAll(extra);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return consumer(Map.of());
    }

    private KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(extra);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
