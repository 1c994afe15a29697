package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acknowledged-prefix rule on the real broker (DESIGN.md, "Durability"): a send that fails while a later one of
 * the same channel is acknowledged does not leave a gap that kills the channel.
 */
class ChannelDeliveryTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final String control = KafkaFixture.uniqueTopic("control");
    private final String collection = KafkaFixture.uniqueTopic("fragments");
    private final String channel = KafkaFixture.uniqueTopic("s-r");
    private final List<SnapshotNode> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        nodes.forEach(SnapshotNode::close);
    }

    private SnapshotNode started(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.controlTopic(control).collectionTopic(collection).build();
        nodes.add(node);
        return node.start();
    }

    /**
     * Sends "a", a record too large for the channel, and "c", once, in one step. When the three travel in one batch
     * the producer splits it and retries the rest until its delivery timeout; a short one keeps the test short.
     */
    private SnapshotNode.Builder sender() {
        byte[] big = new byte[8_000];
        Arrays.fill(big, (byte) 'b');
        return SnapshotNode.builder().processId("s").stateDir(dir.resolve("s")).outgoing(channel)
                .kafkaProperties(KafkaFixture.clientProperties())
                .kafkaProperties(Map.of("delivery.timeout.ms", "8000", "request.timeout.ms", "3000",
                        "batch.size", "1024")) // the big record in a batch of its own
                .onStart(ctx -> {
            if (ctx.state().get("sent") == null) {
                ctx.state().putLong("sent", 1);
                ctx.send(channel, "a".getBytes(StandardCharsets.UTF_8));
                ctx.send(channel, big);
                ctx.send(channel, "c".getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void aSendThatFailsBetweenTwoAcknowledgedOnesIsDeliveredInOrderOnceItFitsWithNothingLostOrAppliedTwice()
            throws Exception {
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(channel, 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2000")))).all().get();
        }
        StringBuffer handled = new StringBuffer();
        started(SnapshotNode.builder().processId("r").stateDir(dir.resolve("r")).incoming(channel)
                .kafkaProperties(KafkaFixture.clientProperties())
                .onRecord((ctx, record) -> {
                    String got = record.value().length > 1 ? "B" : new String(record.value(), StandardCharsets.UTF_8);
                    ctx.state().put("log", ((ctx.state().get("log") == null ? "" : new String(ctx.state().get("log"),
                            StandardCharsets.UTF_8)) + got).getBytes(StandardCharsets.UTF_8));
                    handled.append(got);
                }));

        SnapshotNode s = started(sender());
        // The broker refuses the big record for good, and takes "c" after it: the sender stops, naming the channel.
        await().atMost(PATIENCE).until(() -> s.failure().isPresent());
        assertThat(s.failure().get()).hasMessageContaining(channel).hasMessageContaining("RecordTooLarge");
        if (seqs().contains(2L)) {
            // "c" was acknowledged after the big record failed: the receiver must hold it as a gap, not apply it.
            await().atMost(PATIENCE).until(() -> handled.length() >= 1);
            assertThat(handled.toString()).as("before the big record is in, \"c\" is a gap").isEqualTo("a");
        }

        KafkaFixture.setTopicConfig(channel, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1048588");
        started(sender()); // the same state directory: the outbox sends the big record and "c" again, in order

        await().atMost(PATIENCE).until(() -> handled.toString().length() >= 3);
        assertThat(handled.toString()).as("channel %s holds seqs %s", channel, seqs()).isEqualTo("aBc");
    }

    private List<Long> seqs() {
        List<Long> seqs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaFixture.readAll(channel)) {
            seqs.add(ChannelHeaders.seq(record.headers()).orElse(-1));
        }
        return seqs;
    }
}
