package io.kafkasnap.samples.bench;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.Kafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One run of the one-hop latency (see {@link Bench#hopLatency} and {@link Bench#timerHopLatency}): the nodes, the
 * fixed-rate sender on a node's timer, and the receiving handler that takes each record's latency.
 */
final class HopRun {

    private final Map<String, Object> kafka;
    private final Path stateRoot;
    private final Duration longestRun;

    HopRun(Map<String, Object> kafka, Path stateRoot, Duration longestRun) {
        this.kafka = kafka;
        this.stateRoot = stateRoot;
        this.longestRun = longestRun;
    }

    /** @param run the prefix of this run's topics and state directories, used by no other run */
    Bench.Latencies run(String run, double rate, int samples, boolean fromHandler) throws InterruptedException {
        String feed = run + ".feed.a";
        String channel = run + ".a.b";
        String control = run + ".control";
        String collection = run + ".fragments";
        Kafka.createTopics(kafka, fromHandler ? List.of(feed, channel, control, collection)
                : List.of(channel, control, collection));
        LatencySamples probes = new LatencySamples(Bench.warmupProbes(rate, samples), samples);
        CountDownLatch go = new CountDownLatch(1);
        List<SnapshotNode> nodes = new ArrayList<>();
        nodes.add(hopNode(run, "b").incoming(channel)
                .onRecord((ctx, record) -> {
                    probes.arrived(record.value(), System.nanoTime());
                    ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1);
                })
                .build());
        if (fromHandler) {
            nodes.add(hopNode(run, "a").incoming(feed).outgoing(channel)
                    .onRecord((ctx, record) -> ctx.send(channel,
                            Stamps.encode(Stamps.seq(record.value()), System.nanoTime())))
                    .build());
            nodes.add(pacedSender(hopNode(run, "feed"), feed, rate, probes.total(), go).build());
        } else {
            nodes.add(pacedSender(hopNode(run, "a"), channel, rate, probes.total(), go).build());
        }
        Nodes.startAll(nodes);
        try {
            go.countDown();
            long deadline = System.nanoTime() + longestRun.toNanos();
            while (!probes.await(Duration.ofSeconds(1))) {
                Nodes.requireHealthy(nodes);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("hop latency: " + probes.arrivedSoFar() + " of "
                            + probes.total() + " probes arrived within " + longestRun);
                }
            }
            return probes.latencies();
        } finally {
            Nodes.closeAll(nodes);
        }
    }

    private SnapshotNode.Builder hopNode(String run, String name) {
        return SnapshotNode.builder()
                .processId("bench-hop-" + name)
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(run).resolve(name))
                .controlTopic(run + ".control")
                .collectionTopic(run + ".fragments");
    }

    /** A timer that sends {@code total} stamped records on {@code channel} at {@code rate}, once {@code go} opens. */
    private static SnapshotNode.Builder pacedSender(SnapshotNode.Builder node, String channel, double rate, int total,
                                                    CountDownLatch go) {
        FixedRate pace = new FixedRate(rate);
        long[] sent = {0};
        // A tick per record interval (at least 1 ms); each tick sends every record that is due by then.
        Duration tick = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), pace.intervalNanos()));
        return node.outgoing(channel).timer(tick, ctx -> {
            if (go.getCount() > 0) {
                return;
            }
            if (sent[0] == 0) {
                pace.start(System.nanoTime());
            }
            while (sent[0] < total && pace.dueNanos(sent[0]) <= System.nanoTime()) {
                ctx.send(channel, Stamps.encode(sent[0], System.nanoTime()));
                sent[0]++;
            }
        });
    }
}
