package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.testing.KafkaFixture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Nodes run by the auto-configuration against a real broker (the project's KafkaFixture). */
class KafkaSnapNodeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path stateRoot;

    private final String control = KafkaFixture.uniqueTopic("spring.control");
    private final String fragments = KafkaFixture.uniqueTopic("spring.fragments");
    private final String status = KafkaFixture.uniqueTopic("spring.status");
    private final String channel = KafkaFixture.uniqueTopic("spring.a.b");

    private ApplicationContextRunner node(String processId, String... properties) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class,
                        KafkaSnapAutoConfiguration.class, KafkaSnapHealthAutoConfiguration.class,
                        KafkaSnapEndpointAutoConfiguration.class))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("spring.kafka.bootstrap-servers=" + KafkaFixture.bootstrapServers(),
                        "kafkasnap.process-id=" + processId,
                        "kafkasnap.state-dir=" + stateRoot.resolve(processId),
                        "kafkasnap.control.topic=" + control,
                        "kafkasnap.collection.topic=" + fragments,
                        "kafkasnap.status.topic=" + status,
                        "kafkasnap.status.interval=1s",
                        "management.endpoints.web.exposure.include=kafkasnap")
                .withPropertyValues(properties);
    }

    /** b adds up what a sends it. */
    private ApplicationContextRunner receiver(String... properties) {
        RecordHandler sum = (ctx, record) -> ctx.state().putLong("sum", ctx.state().getLong("sum", 0)
                + Long.parseLong(new String(record.value(), StandardCharsets.UTF_8)));
        return node("b", "kafkasnap.incoming=" + channel).withBean(RecordHandler.class, () -> sum)
                .withPropertyValues(properties);
    }

    /** a sends 1 every 20 ms, from a timer added by a customizer. */
    private ApplicationContextRunner sender(String... properties) {
        SnapshotNodeCustomizer timer = builder -> builder.timer(Duration.ofMillis(20),
                ctx -> ctx.send(channel, "1".getBytes(StandardCharsets.UTF_8)));
        return node("a", "kafkasnap.outgoing=" + channel).withBean(SnapshotNodeCustomizer.class, () -> timer)
                .withPropertyValues(properties);
    }

    @Test
    void twoNodesTakeASnapshotThroughTheEndpointAndRestoreOnlyWhenAllowed() {
        receiver("kafkasnap.endpoint.restore-enabled=true").run(b -> sender().run(a -> {
            assertThat(a).hasNotFailed();
            assertThat(b).hasNotFailed();
            SnapshotNodeLifecycle lifecycleA = a.getBean(SnapshotNodeLifecycle.class);
            assertThat(lifecycleA.isRunning()).isTrue();
            assertThat(lifecycleA.node()).get().extracting(SnapshotNode::isRunning).isEqualTo(true);

            KafkaSnapEndpoint endpointA = a.getBean(KafkaSnapEndpoint.class);
            long id = ((Number) endpointA.trigger(null).get("snapshot")).longValue();
            await().atMost(WAIT).untilAsserted(() -> {
                WebEndpointResponse<Map<String, Object>> shown = endpointA.snapshot(id);
                assertThat(shown.getStatus()).isEqualTo(200);
                assertThat(shown.getBody()).containsEntry("status", "complete");
            });
            Map<String, Object> shown = endpointA.snapshot(id).getBody();
            assertThat(shown.get("members")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactlyInAnyOrder("a", "b");
            assertThat(shown.get("channels")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsKey(channel);
            assertThat(shown.get("consistency")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("violations", List.of());

            await().atMost(WAIT).untilAsserted(() -> assertThat(summaries(endpointA.snapshots()))
                    .anySatisfy(s -> {
                        assertThat(((Number) s.get("snapshot")).longValue()).isEqualTo(id);
                        assertThat(s.get("status")).isEqualTo("complete");
                    }));
            assertThat(endpointA.snapshot(id + 100_000).getStatus()).isEqualTo(404);

            // meters in the application's registry, health with the counts as details
            MeterRegistry metersB = b.getBean(MeterRegistry.class);
            assertThat(metersB.find("kafkasnap.snapshots.completed").tag("process", "b").counter())
                    .isNotNull().satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
            Health health = b.getBean(KafkaSnapHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("process", "b").containsEntry("state", "running");
            assertThat((Long) health.getDetails().get("snapshotsCompleted")).isGreaterThanOrEqualTo(1);

            // restore: refused at a (off by default), written at b where it is allowed
            WebEndpointResponse<Map<String, Object>> refused = endpointA.restore(id, "restore", null);
            assertThat(refused.getStatus()).isEqualTo(403);
            assertThat(refused.getBody().get("message").toString()).contains("kafkasnap.endpoint.restore-enabled");
            KafkaSnapEndpoint endpointB = b.getBean(KafkaSnapEndpoint.class);
            assertThat(endpointB.restore(id, "rewind", null).getStatus()).isEqualTo(404);
            WebEndpointResponse<Map<String, Object>> restored = endpointB.restore(id, "restore", null);
            assertThat(restored.getStatus()).as(String.valueOf(restored.getBody())).isEqualTo(200);
            long epoch = ((Number) restored.getBody().get("epoch")).longValue();
            assertThat(epoch).isGreaterThan(id);
            await().atMost(WAIT).untilAsserted(() -> assertThat(controlRecords("restored"))
                    .filteredOn(r -> r.get("epoch").asLong() == epoch)
                    .extracting(r -> r.get("process").asText()).containsExactlyInAnyOrder("a", "b"));
            assertThat(b.getBean(KafkaSnapHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
        }));
        // both contexts closed: both nodes left the group in Spring's shutdown
        assertThat(controlRecords("leave")).extracting(r -> r.get("process").asText()).contains("a", "b");
    }

    @Test
    void aFailedSnapshotIsADetailNotDown() {
        receiver("kafkasnap.snapshot.timeout=1s").run(b -> {
            // a member that joined, sends on b's channel, and never sends a marker
            write(control, "{\"v\":1,\"type\":\"join\",\"process\":\"ghost\",\"in\":[],\"out\":[\"" + channel + "\"]}");
            KafkaSnapEndpoint endpoint = b.getBean(KafkaSnapEndpoint.class);
            long id = ((Number) endpoint.trigger(null).get("snapshot")).longValue();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(controlRecords("abort")).anySatisfy(r -> {
                    assertThat(r.get("snapshot").asLong()).isEqualTo(id);
                    assertThat(r.get("process").asText()).isEqualTo("b");
                });
                Health health = b.getBean(KafkaSnapHealthIndicator.class).health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat((Long) health.getDetails().get("snapshotsAborted")).isGreaterThanOrEqualTo(1);
            });
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(endpoint.snapshot(id).getBody()).containsEntry("status", "failed"));
        });
    }

    @Test
    void withoutAutoStartupTheNodeStartsWhenAskedAndAgainAfterAStop() {
        receiver("kafkasnap.lifecycle.auto-startup=false").run(b -> {
            SnapshotNodeLifecycle lifecycle = b.getBean(SnapshotNodeLifecycle.class);
            assertThat(lifecycle.isRunning()).isFalse();
            assertThat(lifecycle.node()).isEmpty();
            assertThat(b.getBean(KafkaSnapHealthIndicator.class).health().getStatus()).isEqualTo(Status.UNKNOWN);

            lifecycle.start();
            SnapshotNode first = lifecycle.node().orElseThrow();
            assertThat(first.isRunning()).isTrue();
            assertThat(b.getBean(KafkaSnapHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);

            lifecycle.stop();
            assertThat(first.isRunning()).isFalse();
            assertThat(lifecycle.isRunning()).isFalse();

            lifecycle.start();
            SnapshotNode second = lifecycle.node().orElseThrow();
            assertThat(second).isNotSameAs(first);
            assertThat(second.isRunning()).isTrue();
        });
        assertThat(controlRecords("join")).filteredOn(r -> r.get("process").asText().equals("b")).hasSize(2);
    }

    private static List<Map<String, Object>> summaries(Map<String, Object> list) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> summaries = (List<Map<String, Object>>) list.get("snapshots");
        return summaries;
    }

    private List<JsonNode> controlRecords(String type) {
        return KafkaFixture.readAll(control).stream().map(r -> {
            try {
                return JSON.readTree(r.value());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(n -> type.equals(n.path("type").asText())).toList();
    }

    private static void write(String topic, String json) {
        Properties props = KafkaFixture.clientProperties();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, null, json.getBytes(StandardCharsets.UTF_8))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
