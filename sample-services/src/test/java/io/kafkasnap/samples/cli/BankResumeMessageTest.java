package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.bank.BankService;
import io.kafkasnap.testing.KafkaFixture;
import io.kafkasnap.tools.common.Kafka;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kafkasnap bank} says which balance it runs with: the initial one on a fresh state directory, the stored one
 * (and that --balance is not applied) when it resumes from its directory.
 */
class BankResumeMessageTest {

    @TempDir
    Path dir;

    @Test
    void aBranchRestartedOnItsStateDirectoryReportsItsStoredBalanceNotTheInitialOne() throws Exception {
        String prefix = KafkaFixture.uniqueTopic("resume") + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        String out = prefix + "bank.0.1";
        Kafka.createTopics(props, List.of(out, prefix + "control", prefix + "fragments"));
        Path state = dir.resolve("bank-0");

        BankService.Start first = startAndStop(props, prefix, out, state, 1000);
        assertThat(first).isEqualTo(new BankService.Start(false, 1000));
        assertThat(BankCommand.startLine("bank-0", first, 1000, state))
                .isEqualTo("bank-0 started with initial balance 1000 (no stored state in " + state.toAbsolutePath()
                        + ")");

        // a different --balance on the restart shows that the stored balance, not the option, is what runs
        BankService.Start second = startAndStop(props, prefix, out, state, 7);
        assertThat(second).isEqualTo(new BankService.Start(true, 1000));
        assertThat(BankCommand.startLine("bank-0", second, 7, state))
                .isEqualTo("bank-0 resumed from " + state.toAbsolutePath()
                        + " with its stored balance 1000 (--balance 7 not applied)")
                .doesNotContain("initial balance");
    }

    private static BankService.Start startAndStop(Map<String, Object> props, String prefix, String out, Path state,
                                                  long balance) throws Exception {
        CompletableFuture<BankService.Start> started = new CompletableFuture<>();
        // rate 0: no transfers, so the stored balance is exactly the one set on the first start
        try (SnapshotNode node = BankService.node("bank-0", props, state, List.of(), List.of(out), balance, 0, 1,
                        started::complete)
                .controlTopic(prefix + "control").collectionTopic(prefix + "fragments").build()) {
            node.start();
            return started.get(60, TimeUnit.SECONDS);
        }
    }
}
