package io.kafkasnap.engine;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.ControlBytes;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.store.InMemoryNodeStore;
import io.kafkasnap.store.NodeStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The node's hot path without Kafka: one engine (the real one, on the real store) takes a poll batch of {@code BATCH}
 * app records of 100 bytes with their {@code kafkasnap-*} headers on one channel (header read, dedup by (epoch,
 * seq), dispatch to a handler), the handler counts each in its state and sends it on (outbox append), the step
 * commits (one write), and then every send is acknowledged (the acknowledged prefix deleted in the next step's
 * write). The figure is per record; {@code dispatch} stops before the sends, so the difference is the outbox's share.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StepBench {

    static final int BATCH = 500;

    @Param({"rocksdb", "memory"})
    public String store;

    private Path dir;
    private final List<NodeStore> stores = new ArrayList<>();
    private NodeEngine relay;
    private NodeEngine counter;
    private final List<long[]> sent = new ArrayList<>();
    private final byte[] value = new byte[100];
    private long relayOffset;
    private long counterOffset;
    private long outOffset;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("kafkasnap-jmh-");
        relay = engine("relay", Set.of("out"), (ctx, record) -> {
            ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1);
            ctx.send("out", record.key(), record.value());
        }, dir.resolve("relay"));
        counter = engine("counter", Set.of(), (ctx, record) ->
                ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1), dir.resolve("counter"));
    }

    private NodeEngine engine(String id, Set<String> outgoing, io.kafkasnap.api.RecordHandler handler, Path at)
            throws Exception {
        NodeStore s = store.equals("memory") ? new InMemoryNodeStore() : NodeStore.open(at);
        stores.add(s);
        NodeEngine.Settings settings = new NodeEngine.Settings(id, Set.of("in"), outgoing, handler, List.of(),
                List.of(), 60_000, 4, 1_000_000, 3_600_000, 1_000, 0, 0);
        ChannelOutput channels = (entry, attempt) -> sent.add(new long[] {entry.id(), attempt});
        InputControl input = new InputControl() {
            @Override
            public void pause(String channel) {
            }

            @Override
            public void resume(String channel, long position) {
            }

            @Override
            public long lag(String channel) {
                return -1;
            }
        };
        StatusSink status = new StatusSink() {
            @Override
            public void report(long at, long epoch, Map<String, Long> positions, int outbox, Set<Long> inFlight) {
            }

            @Override
            public void tombstone() {
            }
        };
        FragmentSink fragments = new FragmentSink() {
            @Override
            public void publish(io.kafkasnap.protocol.LocalSnapshot local, io.kafkasnap.store.StateCapture capture,
                                io.kafkasnap.format.Timeline.OnLoop onLoop, Map<String, long[]> applied) {
                capture.close();
            }

            @Override
            public void cancel(long snapshot) {
            }
        };
        NodeEngine engine = new NodeEngine(settings, s, new NodeEngine.Ports(channels, record -> {
        }, fragments, control -> {
        }, input, status), Time.SYSTEM, new SimpleMeterRegistry());
        long actFrom = engine.actFrom(0);
        engine.catchUpControl(0, System.currentTimeMillis(),
                ControlBytes.of(new ControlRecord.Join(id, List.of("in"), List.copyOf(outgoing))));
        engine.open(actFrom, Map.of("in", 0L), Map.of(), (channel, from, epoch) -> true);
        engine.bindTo(Thread.currentThread());
        engine.firstStep();
        return engine;
    }

    /** One poll batch into the counting sink: header read, dedup, handler, the step's write. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dispatch() {
        counter.bindTo(Thread.currentThread());
        for (int i = 0; i < BATCH; i++) {
            counter.onChannelRecord(record(counterOffset++));
        }
        counter.endStep();
    }

    /** The same batch through a node that sends each record on: outbox append, drain and acknowledged prefix too. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void dispatchAndRelay() {
        relay.bindTo(Thread.currentThread());
        for (int i = 0; i < BATCH; i++) {
            relay.onChannelRecord(record(relayOffset++));
        }
        relay.endStep();
        for (long[] send : sent) {
            relay.onSendAcknowledged(send[0], send[1], outOffset++);
        }
        sent.clear();
        relay.endStep();
    }

    private InputRecord record(long offset) {
        RecordHeaders headers = new RecordHeaders(ChannelHeaders.array(0, offset, -1, false, 0));
        return new InputRecord("in", offset, null, value, 0L, headers);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        relay.stop();
        counter.stop();
        relay.releaseCaptures();
        counter.releaseCaptures();
        stores.forEach(NodeStore::close);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
