package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node without state never starts from a guess (DESIGN.md, "Restore"): when retention has removed the first records
 * of an incoming channel that it would have had to apply, it stops with an error naming the channel.
 */
class ChannelRetentionTest {

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

    private SnapshotNode.Builder node(String id) {
        return SnapshotNode.builder().processId(id).stateDir(dir.resolve(id)).controlTopic(control)
                .collectionTopic(collection).kafkaProperties(KafkaFixture.clientProperties());
    }

    private SnapshotNode start(SnapshotNode.Builder builder) {
        SnapshotNode node = builder.build();
        nodes.add(node);
        return node.start();
    }

    private void sendTen() {
        start(node("s").outgoing(channel).onStart(ctx -> {
            if (ctx.state().get("sent") == null) {
                ctx.state().putLong("sent", 1);
                for (int i = 0; i < 10; i++) {
                    ctx.send(channel, Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                }
            }
        }));
        await().atMost(PATIENCE).until(() -> KafkaFixture.endOffset(channel) >= 10);
    }

    @Test
    void aReceiverWithoutStateRefusesToStartWhenRetentionRemovedTheFirstRecordsOfItsChannel() throws Exception {
        sendTen();
        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            admin.deleteRecords(Map.of(new TopicPartition(channel, 0), RecordsToDelete.beforeOffset(4))).all().get();
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> start(node("r").incoming(channel).onRecord((ctx, record) ->
                handled.add(new String(record.value(), StandardCharsets.UTF_8)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("r has no state")
                .hasMessageContaining("retention removed the first records its senders sent")
                .hasMessageContaining(channel + " (now starting at offset 4)")
                .hasMessageContaining("kafkasnap restore");
        assertThat(handled).as("records handed to the handler of a node that refused to start").isEmpty();
    }

    @Test
    void aReceiverWithoutStateStartsAndAppliesEveryRecordWhenItsChannelHoldsItsWholeHistory() {
        sendTen();
        List<String> handled = new CopyOnWriteArrayList<>();
        start(node("r").incoming(channel).onRecord((ctx, record) ->
                handled.add(new String(record.value(), StandardCharsets.UTF_8))));
        await().atMost(PATIENCE).until(() -> handled.size() >= 10);
        assertThat(handled).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }
}
