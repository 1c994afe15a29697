package io.kafkasnap.samples.bank;

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
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A bank branch: holds its money under the state key {@value #BALANCE} (an integer) and, on a timer, sends random
 * transfers {@code {"amount":N}} on its outgoing channels, never more than it holds. Receiving a transfer adds the
 * amount. Money is conserved: the sum of all balances plus the amounts in flight never changes.
 */
public final class BankService {

    public static final String BALANCE = "balance";
    /** Largest single transfer, so that money keeps moving in many small steps. */
    public static final long MAX_TRANSFER = 100;

    /** Timer ticks per second at most; higher rates send several transfers per tick. */
    private static final int MAX_TICKS_PER_SECOND = 100;

    private final long initialBalance;
    private final Random random;
    private final List<String> outgoing;
    private final Consumer<Start> started;
    private double credit;

    /**
     * How a branch started: with the initial balance (its state had none), or resumed with the balance its state
     * directory kept, the initial balance then not applied.
     */
    public record Start(boolean resumed, long balance) {
    }

    private BankService(long initialBalance, long seed, List<String> outgoing, Consumer<Start> started) {
        this.initialBalance = initialBalance;
        this.random = new Random(seed);
        this.outgoing = List.copyOf(outgoing);
        this.started = started;
    }

    /**
     * A node builder for one branch, ready to {@code build().start()}; add node settings (control topic, ...) first
     * if needed.
     *
     * @param initialBalance set at start only if the state has no balance yet (a restart keeps its money)
     * @param rate           transfers per second this branch sends; 0 sends none
     * @param seed           seeds the choice of channel and amount
     */
    public static SnapshotNode.Builder node(String processId, Map<String, ?> kafkaProperties, Path stateDir,
                                            List<String> incoming, List<String> outgoing,
                                            long initialBalance, double rate, long seed) {
        return node(processId, kafkaProperties, stateDir, incoming, outgoing, initialBalance, rate, seed, s -> { });
    }

    /**
     * As {@link #node(String, Map, Path, List, List, long, double, long)}, telling {@code started} (on the node's
     * thread, once its start task has run) whether the branch began with the initial balance or resumed its own.
     */
    public static SnapshotNode.Builder node(String processId, Map<String, ?> kafkaProperties, Path stateDir,
                                            List<String> incoming, List<String> outgoing,
                                            long initialBalance, double rate, long seed, Consumer<Start> started) {
        Objects.requireNonNull(started, "started");
        if (initialBalance < 0) {
            throw new IllegalArgumentException("balance must be >= 0, got " + initialBalance);
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be >= 0 messages per second, got " + rate);
        }
        BankService bank = new BankService(initialBalance, seed, outgoing, started);
        SnapshotNode.Builder builder = SnapshotNode.builder()
                .processId(processId)
                .kafkaProperties(kafkaProperties)
                .stateDir(stateDir)
                .incoming(incoming)
                .outgoing(outgoing)
                .onStart(bank::start);
        if (!incoming.isEmpty()) {
            builder.onRecord(bank::receive);
        }
        if (rate > 0 && !outgoing.isEmpty()) {
            int ticks = (int) Math.max(1, Math.min(MAX_TICKS_PER_SECOND, Math.ceil(rate)));
            builder.timer(Duration.ofNanos(1_000_000_000L / ticks), ctx -> bank.tick(ctx, rate / ticks));
        }
        return builder;
    }

    private void start(NodeContext ctx) {
        if (ctx.state().get(BALANCE) == null) {
            ctx.state().putLong(BALANCE, initialBalance);
            started.accept(new Start(false, initialBalance));
        } else {
            started.accept(new Start(true, ctx.state().getLong(BALANCE, 0)));
        }
    }

    private void receive(NodeContext ctx, IncomingRecord record) {
        long amount = amountOf(record.value());
        ctx.state().putLong(BALANCE, ctx.state().getLong(BALANCE, 0) + amount);
    }

    private void tick(NodeContext ctx, double perTick) {
        credit += perTick;
        while (credit >= 1) {
            credit -= 1;
            long balance = ctx.state().getLong(BALANCE, 0);
            if (balance <= 0) {
                credit = 0;
                return;
            }
            long amount = 1 + (long) (random.nextDouble() * Math.min(balance, MAX_TRANSFER));
            amount = Math.min(amount, balance);
            String channel = outgoing.get(random.nextInt(outgoing.size()));
            ctx.state().putLong(BALANCE, balance - amount);
            ctx.send(channel, transfer(amount));
        }
    }

    /** The record value of a transfer: {@code {"amount":N}}. */
    public static byte[] transfer(long amount) {
        return ("{\"amount\":" + amount + "}").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The amount of a transfer record value.
     *
     * @throws IllegalArgumentException if it is not {@code {"amount":N}} with a non-negative integer N
     */
    public static long amountOf(byte[] value) {
        Objects.requireNonNull(value, "a transfer has a value");
        try {
            return amountOf(SnapshotView.MAPPER.readTree(value));
        } catch (IOException e) {
            throw new IllegalArgumentException("transfer is not JSON: "
                    + new String(value, StandardCharsets.UTF_8), e);
        }
    }

    /** The amount of a transfer in its JSON form. */
    public static long amountOf(JsonNode value) {
        JsonNode amount = value == null ? null : value.get("amount");
        if (amount == null || !amount.isIntegralNumber() || amount.asLong() < 0) {
            throw new IllegalArgumentException("transfer must be {\"amount\":N} with an integer N >= 0, got " + value);
        }
        return amount.asLong();
    }
}
