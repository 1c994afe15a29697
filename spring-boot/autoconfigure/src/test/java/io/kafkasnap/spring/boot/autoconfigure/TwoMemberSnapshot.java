package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.node.SnapshotNodeConfig;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What the {@code @SpringBootTest}s of a connection source share: the application's node {@code b} adds up what a
 * plain node {@code a} sends it on one channel; a snapshot triggered through b's endpoint completes with both. The
 * topics are the test's own, so a shared or external broker may hold others.
 */
record TwoMemberSnapshot(String control, String collection, String status, String channel) {

    static final Duration WAIT = Duration.ofSeconds(90);

    static TwoMemberSnapshot unique(String prefix) {
        return new TwoMemberSnapshot(KafkaFixture.uniqueTopic(prefix + ".control"),
                KafkaFixture.uniqueTopic(prefix + ".fragments"), KafkaFixture.uniqueTopic(prefix + ".status"),
                KafkaFixture.uniqueTopic(prefix + ".a.b"));
    }

    /** Node b's properties, all but the connection, which is the test's point. */
    void register(DynamicPropertyRegistry registry) {
        registry.add("kafkasnap.process-id", () -> "b");
        registry.add("kafkasnap.incoming", this::channel);
        registry.add("kafkasnap.control.topic", this::control);
        registry.add("kafkasnap.collection.topic", this::collection);
        registry.add("kafkasnap.status.topic", this::status);
        registry.add("kafkasnap.status.interval", () -> "1s");
        registry.add("management.endpoints.web.exposure.include", () -> "kafkasnap");
    }

    /** Node b's handler. */
    static RecordHandler sum() {
        return (ctx, record) -> ctx.state().putLong("sum", ctx.state().getLong("sum", 0)
                + Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
    }

    /** Node a, outside Spring, on the broker at {@code bootstrap}: sends 1 on the channel every 20 ms. */
    SnapshotNode startSender(String bootstrap, Path stateDir) {
        return SnapshotNode.builder().processId("a")
                .kafkaProperties(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap))
                .controlTopic(control).collectionTopic(collection)
                .setting(SnapshotNodeConfig.STATUS_TOPIC, status)
                .stateDir(stateDir)
                .outgoing(channel)
                .timer(Duration.ofMillis(20), ctx -> ctx.send(channel, "1".getBytes(StandardCharsets.UTF_8)))
                .build().start();
    }

    /** Triggers a snapshot at b's endpoint and waits until it is complete, consistent, with a and b as members. */
    void completesWithBoth(KafkaSnapEndpoint endpoint) {
        long id = ((Number) endpoint.trigger(null).get("snapshot")).longValue();
        await().atMost(WAIT).untilAsserted(() -> {
            WebEndpointResponse<Map<String, Object>> shown = endpoint.snapshot(id);
            assertThat(shown.getStatus()).as("snapshot %d: %s", id, shown.getBody()).isEqualTo(200);
            assertThat(shown.getBody()).containsEntry("status", "complete");
        });
        Map<String, Object> shown = endpoint.snapshot(id).getBody();
        assertThat(shown.get("members")).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(shown.get("channels")).asInstanceOf(InstanceOfAssertFactories.MAP).containsKey(channel);
        assertThat(shown.get("consistency")).asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("violations", List.of());
    }
}
