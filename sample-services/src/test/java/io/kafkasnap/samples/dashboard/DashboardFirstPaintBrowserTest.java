package io.kafkasnap.samples.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.testing.KafkaFixture;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.dashboard.Dashboard;
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
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard of a group with no snapshot yet: the page says it waits for the first one (no text that reads as an
 * error), and a malformed control record is announced on the page once, however often the topology is redrawn.
 */
class DashboardFirstPaintBrowserTest {

    private static final Duration PAGE_WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    @Test
    void emptyGroupShowsWaitingForTheFirstSnapshotAndAMalformedControlRecordOnce() throws Exception {
        String prefix = KafkaFixture.uniqueTopic("dash-empty") + ".";
        String control = prefix + "control";
        KafkaFixture.createTopics(1, control, prefix + "fragments");
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        Dashboard.Config config = Dashboard.Config.of(props, control, prefix + "fragments", 0)
                .withStatusTopic(prefix + "status").withTitle("empty test");
        ChromeDriver browser = Browser.open(temp.resolve("chromium-profile"));
        Properties producerProps = KafkaFixture.clientProperties();
        try (Dashboard dashboard = Dashboard.start(config);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            browser.get(dashboard.url());
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(texts(browser, "#detail"))
                    .singleElement().asString()
                    .startsWith("Waiting for the first snapshot of group empty test (control topic " + control + ")"));
            assertThat(texts(browser, "#detail .bad")).as("nothing shown as an error").isEmpty();

            long offset = producer.send(new ProducerRecord<>(control, "not a control record"
                    .getBytes(StandardCharsets.UTF_8))).get().offset();
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(texts(browser, "#notices li.malformed"))
                    .singleElement().asString().startsWith("Malformed control record at offset " + offset));
            // a join redraws the topology, which lists the malformed record again: the page must not repeat it
            producer.send(new ProducerRecord<>(control, new ControlRecord.Join("a", List.of(), List.of())
                    .toJson())).get();
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(texts(browser, "#graph svg text"))
                    .anySatisfy(t -> assertThat(t).startsWith("a")));
            assertThat(texts(browser, "#notices li.malformed")).hasSize(1);
            assertThat(dashboard.failure()).isEmpty();
        } finally {
            browser.quit();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(ChromeDriver browser, String css) {
        return (List<String>) browser.executeScript(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css);
    }
}
