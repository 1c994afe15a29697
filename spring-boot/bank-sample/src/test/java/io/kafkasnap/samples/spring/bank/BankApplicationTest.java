package io.kafkasnap.samples.spring.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkasnap.testing.KafkaFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Two branches of the bank, each a Spring Boot application with the starter, against a real broker: a snapshot
 * triggered over HTTP at bank-0 completes, passes the consistency rules, and holds all the money (2000), counted in
 * the branches' states and in the transfers recorded in flight.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BankApplicationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TO_0 = KafkaFixture.uniqueTopic("bank.1.0");
    private static final String TO_1 = KafkaFixture.uniqueTopic("bank.0.1");
    private static final String CONTROL = KafkaFixture.uniqueTopic("bank.control");
    private static final String FRAGMENTS = KafkaFixture.uniqueTopic("bank.fragments");
    private static final String STATUS = KafkaFixture.uniqueTopic("bank.status");
    private static final Path STATE = tempDir();

    @Value("${local.server.port}")
    int port;

    @DynamicPropertySource
    static void bank0(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", KafkaFixture::bootstrapServers);
        registry.add("kafkasnap.incoming", () -> TO_0);
        registry.add("kafkasnap.outgoing", () -> TO_1);
        registry.add("kafkasnap.control.topic", () -> CONTROL);
        registry.add("kafkasnap.collection.topic", () -> FRAGMENTS);
        registry.add("kafkasnap.status.topic", () -> STATUS);
        registry.add("kafkasnap.state-dir", () -> STATE.resolve("bank-0").toString());
    }

    @Test
    void aSnapshotTriggeredOverHttpHoldsAllTheMoney() throws Exception {
        try (ConfigurableApplicationContext bank1 = new SpringApplicationBuilder(BankApplication.class).run(
                // command-line arguments: they take precedence over application.properties
                "--spring.application.name=bank-1",
                "--server.port=0",
                "--bank.seed=2",
                "--spring.kafka.bootstrap-servers=" + KafkaFixture.bootstrapServers(),
                "--kafkasnap.incoming=" + TO_1,
                "--kafkasnap.outgoing=" + TO_0,
                "--kafkasnap.control.topic=" + CONTROL,
                "--kafkasnap.collection.topic=" + FRAGMENTS,
                "--kafkasnap.status.topic=" + STATUS,
                "--kafkasnap.state-dir=" + STATE.resolve("bank-1"))) {
            JsonNode health = get("/actuator/health");
            assertThat(health.at("/components/kafkasnap/status").asText()).isEqualTo("UP");
            assertThat(health.at("/components/kafkasnap/details/process").asText()).isEqualTo("bank-0");

            // let money move both ways before the snapshot
            await().atMost(Duration.ofSeconds(60)).until(() -> get("/actuator/kafkasnap").path("snapshots").isArray()
                    && KafkaFixture.endOffset(TO_0) > 5 && KafkaFixture.endOffset(TO_1) > 5);

            long id = post("/actuator/kafkasnap").get("snapshot").asLong();
            JsonNode[] snapshot = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                snapshot[0] = get("/actuator/kafkasnap/" + id);
                assertThat(snapshot[0].path("status").asText()).isEqualTo("complete");
            });
            JsonNode s = snapshot[0];
            assertThat(s.path("members")).extracting(JsonNode::asText).containsExactlyInAnyOrder("bank-0", "bank-1");
            assertThat(s.at("/consistency/checked").asBoolean()).isTrue();
            assertThat(s.at("/consistency/violations")).isEmpty();

            long states = s.at("/processes/bank-0/state/balance").asLong(-1_000_000)
                    + s.at("/processes/bank-1/state/balance").asLong(-1_000_000);
            long inFlight = 0;
            for (JsonNode channel : s.path("channels")) {
                for (JsonNode message : channel.path("messages")) {
                    inFlight += message.at("/value/amount").asLong();
                }
            }
            assertThat(states + inFlight).as("balances %d + in flight %d", states, inFlight).isEqualTo(2000);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(get("/actuator/kafkasnap").path("snapshots"))
                            .anySatisfy(summary -> {
                                assertThat(summary.path("snapshot").asLong()).isEqualTo(id);
                                assertThat(summary.path("status").asText()).isEqualTo("complete");
                            }));
            // restore is off unless enabled
            HttpResponse<String> restore = HTTP.send(HttpRequest.newBuilder(uri("/actuator/kafkasnap/" + id
                    + "/restore")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(restore.statusCode()).isEqualTo(403);
            assertThat(restore.body()).contains("kafkasnap.endpoint.restore-enabled");
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode post(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("bank-spring");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
