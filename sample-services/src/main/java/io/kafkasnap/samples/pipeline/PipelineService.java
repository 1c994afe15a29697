package io.kafkasnap.samples.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeContext;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.tools.common.SnapshotView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A DAG that counts items: {@code source → worker-1, worker-2 → sink}. It is not strongly connected (the source has
 * no incoming channel, the sink no outgoing one), which snapshots must handle too.
 *
 * <ul>
 *   <li>source: on a timer, numbers items 1, 2, 3, ... ({@code {"item":N}}) and sends each to one worker at random;
 *       state {@value #PRODUCED}, {@value #ID_SUM} and {@code sent.<worker>} per worker;</li>
 *   <li>worker: forwards each item to the sink; state {@value #PROCESSED};</li>
 *   <li>sink: counts; state {@value #COUNTED}, {@value #ID_SUM} and {@code from.<worker>} per worker.</li>
 * </ul>
 * Invariant: every produced item is counted exactly once, either in flight on a channel or by the sink.
 */
public final class PipelineService {

    public static final String PRODUCED = "produced";
    public static final String PROCESSED = "processed";
    public static final String COUNTED = "counted";
    public static final String ID_SUM = "idsum";
    public static final String SENT_PREFIX = "sent.";
    public static final String FROM_PREFIX = "from.";

    public static final String SOURCE = "pipe-source";
    public static final String SINK = "pipe-sink";
    public static final List<String> WORKERS = List.of("pipe-worker-1", "pipe-worker-2");

    private PipelineService() {
    }

    /** The channel topic from one pipeline process to another. */
    public static String topic(String prefix, String from, String to) {
        return prefix + from.replace("pipe-", "pipe.") + "." + to.replace("pipe-", "");
    }

    public static List<String> allTopics(String prefix) {
        return WORKERS.stream().flatMap(w -> java.util.stream.Stream.of(topic(prefix, SOURCE, w), topic(prefix, w, SINK)))
                .toList();
    }

    /** The source: {@code rate} items per second, spread over the workers at random with {@code seed}. */
    public static SnapshotNode.Builder source(Map<String, ?> kafka, Path stateRoot, String prefix, double rate, long seed) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be > 0 items per second, got " + rate);
        }
        Random random = new Random(seed);
        List<String> out = WORKERS.stream().map(w -> topic(prefix, SOURCE, w)).toList();
        int ticks = (int) Math.max(1, Math.min(100, Math.ceil(rate)));
        double perTick = rate / ticks;
        double[] credit = {0};
        return SnapshotNode.builder()
                .processId(SOURCE)
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(SOURCE))
                .outgoing(out)
                .timer(Duration.ofNanos(1_000_000_000L / ticks), ctx -> {
                    credit[0] += perTick;
                    while (credit[0] >= 1) {
                        credit[0] -= 1;
                        long item = ctx.state().getLong(PRODUCED, 0) + 1;
                        int w = random.nextInt(WORKERS.size());
                        ctx.state().putLong(PRODUCED, item);
                        ctx.state().putLong(ID_SUM, ctx.state().getLong(ID_SUM, 0) + item);
                        String sent = SENT_PREFIX + WORKERS.get(w);
                        ctx.state().putLong(sent, ctx.state().getLong(sent, 0) + 1);
                        ctx.send(out.get(w), item(item));
                    }
                });
    }

    public static SnapshotNode.Builder worker(Map<String, ?> kafka, Path stateRoot, String prefix, String worker) {
        if (!WORKERS.contains(worker)) {
            throw new IllegalArgumentException("worker must be one of " + WORKERS + ", got " + worker);
        }
        String out = topic(prefix, worker, SINK);
        return SnapshotNode.builder()
                .processId(worker)
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(worker))
                .incoming(topic(prefix, SOURCE, worker))
                .outgoing(out)
                .onRecord((ctx, record) -> {
                    itemOf(record.value()); // reject what is not an item before counting it
                    ctx.state().putLong(PROCESSED, ctx.state().getLong(PROCESSED, 0) + 1);
                    ctx.send(out, record.value());
                });
    }

    public static SnapshotNode.Builder sink(Map<String, ?> kafka, Path stateRoot, String prefix) {
        Map<String, String> workerOf = new java.util.HashMap<>();
        WORKERS.forEach(w -> workerOf.put(topic(prefix, w, SINK), w));
        return SnapshotNode.builder()
                .processId(SINK)
                .kafkaProperties(kafka)
                .stateDir(stateRoot.resolve(SINK))
                .incoming(List.copyOf(workerOf.keySet()))
                .onRecord((ctx, record) -> count(ctx, record, workerOf.get(record.channel())));
    }

    private static void count(NodeContext ctx, IncomingRecord record, String worker) {
        long item = itemOf(record.value());
        ctx.state().putLong(COUNTED, ctx.state().getLong(COUNTED, 0) + 1);
        ctx.state().putLong(ID_SUM, ctx.state().getLong(ID_SUM, 0) + item);
        String from = FROM_PREFIX + worker;
        ctx.state().putLong(from, ctx.state().getLong(from, 0) + 1);
    }

    public static byte[] item(long n) {
        return ("{\"item\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static long itemOf(byte[] value) {
        try {
            return itemOf(SnapshotView.MAPPER.readTree(value));
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("not an item: " + (value == null ? null
                    : new String(value, StandardCharsets.UTF_8)), e);
        }
    }

    public static long itemOf(JsonNode value) {
        JsonNode item = value == null ? null : value.get("item");
        if (item == null || !item.isIntegralNumber() || item.asLong() < 1) {
            throw new IllegalArgumentException("an item is {\"item\":N} with an integer N >= 1, got " + value);
        }
        return item.asLong();
    }
}
