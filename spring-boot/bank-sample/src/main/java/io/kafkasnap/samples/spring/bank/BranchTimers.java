package io.kafkasnap.samples.spring.bank;

import io.kafkasnap.api.NodeContext;
import io.kafkasnap.spring.boot.autoconfigure.SnapshotNodeCustomizer;
import io.kafkasnap.node.SnapshotNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.springframework.stereotype.Component;

/** Sets the initial balance at the first start and sends random transfers, never more than the branch holds. */
@Component
public class BranchTimers implements SnapshotNodeCustomizer {

    private static final long MAX_TRANSFER = 100;
    private final BankProperties bank;

    public BranchTimers(BankProperties bank) {
        this.bank = bank;
    }

    @Override
    public void customize(SnapshotNode.Builder builder) {
        Random random = new Random(bank.seed());
        builder.onStart(ctx -> {
            if (ctx.state().get(Branch.BALANCE) == null) {
                ctx.state().putLong(Branch.BALANCE, bank.initialBalance());
            }
        });
        if (bank.rate() > 0) {
            builder.timer(Duration.ofNanos((long) (1_000_000_000L / bank.rate())), ctx -> send(ctx, random));
        }
    }

    private static void send(NodeContext ctx, Random random) {
        List<String> outgoing = new ArrayList<>(ctx.outgoingChannels());
        long balance = ctx.state().getLong(Branch.BALANCE, 0);
        if (outgoing.isEmpty() || balance <= 0) {
            return;
        }
        outgoing.sort(null);
        long amount = Math.min(balance, 1 + random.nextInt((int) MAX_TRANSFER));
        ctx.state().putLong(Branch.BALANCE, balance - amount);
        ctx.send(outgoing.get(random.nextInt(outgoing.size())), Branch.transfer(amount));
    }
}
