package io.kafkasnap.samples.cli;

import io.kafkasnap.tools.cli.MetricsOption;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.bank.BankService;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.kafkasnap.testing.KafkaFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --metrics-port}: two bank nodes built as {@code kafkasnap bank} builds them, one serving its meters on the
 * Prometheus endpoint; a scrape after a snapshot finds the kafkasnap meters with values that fit what happened.
 */
class MetricsEndpointTest {

    @TempDir
    Path dir;

    @Test
    void scrapeOfARunningBankNodeShowsRecordsSnapshotsAndFragmentBytes() throws Exception {
        String prefix = KafkaFixture.uniqueTopic("metrics") + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        String control = prefix + "control";
        String collection = prefix + "fragments";
        String ab = prefix + "bank.0.1";
        String ba = prefix + "bank.1.0";
        Kafka.createTopics(props, List.of(ab, ba, control, collection));
        try (MetricsOption.Endpoint endpoint = MetricsOption.serve(0);
             SnapshotNode watched = BankService.node("bank-0", props, dir.resolve("b0"), List.of(ba), List.of(ab),
                             1000, 50, 1).controlTopic(control).collectionTopic(collection)
                     .meterRegistry(endpoint.registry()).build();
             SnapshotNode other = BankService.node("bank-1", props, dir.resolve("b1"), List.of(ab), List.of(ba),
                     1000, 50, 2).controlTopic(control).collectionTopic(collection).build();
             TriggerPublisher publisher = new TriggerPublisher(props, control)) {
            watched.start();
            other.start();
            publisher.trigger(Optional.empty());
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("http://localhost:" + endpoint.port() + "/metrics");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                        t -> assertThat(t).startsWith("text/plain"));
                String body = response.body();
                assertThat(value(body, "kafkasnap_records_processed_total")).as(body).isPositive();
                assertThat(value(body, "kafkasnap_snapshots_started_total")).as(body).isGreaterThanOrEqualTo(1);
                assertThat(value(body, "kafkasnap_snapshots_completed_total")).as(body).isGreaterThanOrEqualTo(1);
                assertThat(value(body, "kafkasnap_fragment_bytes_sum")).as(body).isPositive();
                assertThat(value(body, "kafkasnap_fragment_publish_seconds_count")).as(body).isGreaterThanOrEqualTo(1);
                assertThat(value(body, "kafkasnap_capture_pause_seconds_count")).as(body).isGreaterThanOrEqualTo(1);
                assertThat(value(body, "kafkasnap_outbox_depth")).as(body).isGreaterThanOrEqualTo(0);
                assertThat(value(body, "kafkasnap_records_duplicates_total")).as(body).isZero();
                assertThat(value(body, "kafkasnap_handler_failures_total")).as(body).isZero();
                // registered at 0 at start: the series exist before their first event
                assertThat(value(body, "kafkasnap_records_gaps_total")).as(body).isZero();
                assertThat(value(body, "kafkasnap_records_bad_epoch_total")).as(body).isZero();
                assertThat(value(body, "kafkasnap_snapshots_aborted_total")).as(body).isZero();
                assertThat(value(body, "kafkasnap_capture_pause_seconds_bucket")).as(body).isGreaterThanOrEqualTo(0);
                // only the node that was given the registry shows up: meters are tagged by process
                assertThat(body).contains("process=\"bank-0\"").doesNotContain("process=\"bank-1\"");
            });
        }
    }

    /** The value of the sample {@code name{process="bank-0",...} value}. */
    private static double value(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*process=\"bank-0\"[^}]*\\} (\\S+)$")
                .matcher(body);
        assertThat(m.find()).as("%s for bank-0 in%n%s", name, body).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
