package io.kafkasnap.samples.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.samples.common.Kafka;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in a real headless browser, over a bank of three services on the real broker: the graph names every
 * process and channel, a snapshot triggered from the page appears in the history, and opening one shows each
 * member's state and the transfers recorded in flight.
 */
class DashboardBrowserTest {

    private static final Duration PAGE_WAIT = Duration.ofSeconds(60);
    private static final int SERVICES = 3;

    @TempDir
    Path temp;

    @Test
    void graphShowsTheBankAndATriggeredSnapshotOpensWithStatesAndInFlightMessages() throws Exception {
        long seed = seed();
        String prefix = KafkaFixture.uniqueTopic("dash") + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        BankTopology topology = BankTopology.parse("full", SERVICES);
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        BankCluster.Config bankConfig = new BankCluster.Config(props, topology, prefix, prefix + "control",
                prefix + "fragments", temp.resolve("state"), 1000, 200, seed);
        Dashboard.Config config = Dashboard.Config.of(props, bankConfig.controlTopic(), bankConfig.collectionTopic(), 0)
                .withStatusTopic(prefix + "status").withTitle("bank test");
        ChromeDriver browser = Browser.open(temp.resolve("chromium-profile"));
        try (BankCluster bank = BankCluster.start(bankConfig);
             Dashboard dashboard = Dashboard.start(config)) {
            browser.get(dashboard.url());

            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                expected.add(BankTopology.processId(i));
            }
            // arrows name channels without the run's common prefix, which the caption shows once
            expected.addAll(topology.allTopics(""));
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(String.join("\n", graphText(browser)))
                    .as("texts of the topology graph; %s", context).contains(expected));
            assertThat(browser.findElement(By.id("graph-caption")).getText()).contains(prefix);

            // Trigger from the page until a snapshot has caught transfers on the wire (at 200/s, the first usually does).
            long withMessages = -1;
            for (int attempt = 0; attempt < 20 && withMessages < 0; attempt++) {
                long id = triggerFromPage(browser, context);
                List<String> cells = await().atMost(PAGE_WAIT).until(
                        () -> texts(browser, "#history tr[data-id='" + id + "'] td"), c -> !c.isEmpty());
                assertThat(cells.get(1)).as("status of snapshot %d in the history %s; %s", id, cells, context)
                        .isEqualTo("complete");
                assertThat(cells.get(8)).as("verdict of snapshot %d; %s", id, context).startsWith("consistent");
                if (Integer.parseInt(cells.get(7)) > 0) {
                    withMessages = id;
                }
            }
            assertThat(withMessages).as("a snapshot with transfers in flight within 20 tries; %s", context)
                    .isNotNegative();

            long chosen = withMessages;
            await().atMost(PAGE_WAIT).ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
                    .untilAsserted(() -> browser.findElement(By.cssSelector("#history tr[data-id='" + chosen + "']"))
                            .click());
            await().atMost(PAGE_WAIT).untilAsserted(() -> {
                assertThat(texts(browser, "#detail-id")).containsExactly(Long.toString(chosen));
                assertThat(texts(browser, "#detail tr.state td:first-child"))
                        .as("members whose state is shown for snapshot %d; %s", chosen, context)
                        .containsExactlyElementsOf(expected.subList(0, SERVICES));
                assertThat(texts(browser, "#detail tr.state td.value"))
                        .allSatisfy(state -> assertThat(state).contains("\"balance\""));
            });
            WebElement channel = browser.findElements(By.cssSelector("#detail tr.channel")).stream()
                    .filter(r -> Integer.parseInt(r.getAttribute("data-count")) > 0).findFirst().orElseThrow();
            int count = Integer.parseInt(channel.getAttribute("data-count"));
            String topic = channel.getAttribute("data-topic");
            channel.click();
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(texts(browser, "#message-list li"))
                    .as("messages of %s in snapshot %d; %s", topic, chosen, context)
                    .hasSize(count).allSatisfy(m -> assertThat(m).contains("\"amount\"")));
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(graphText(browser))
                    .as("the graph shows the snapshot's in-flight counts; %s", context)
                    .anySatisfy(t -> assertThat(t).contains("✉ " + count)));

            Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
            Path target = Path.of("target", "dashboard-browser-test.png");
            Files.createDirectories(target.getParent());
            Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
            assertThat(dashboard.failure()).as(context).isEmpty();
        } finally {
            browser.quit();
        }
    }

    private static long triggerFromPage(ChromeDriver browser, String context) {
        WebElement result = browser.findElement(By.id("trigger-result"));
        String before = result.getAttribute("data-id");
        browser.findElement(By.id("trigger")).click();
        String id = await().atMost(PAGE_WAIT).until(() -> result.getAttribute("data-id"),
                now -> now != null && !now.equals(before));
        return Long.parseLong(id);
    }

    /** Every text of the graph's SVG: node labels (process ids, states) and arrow labels (channels). */
    private static List<String> graphText(ChromeDriver browser) {
        return texts(browser, "#graph svg text");
    }

    /** The text of every element matching {@code css}, read in one go: the page redraws while it is read. */
    @SuppressWarnings("unchecked")
    private static List<String> texts(ChromeDriver browser, String css) {
        return (List<String>) browser.executeScript(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css);
    }

    static long seed() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        return fixed != null ? fixed : System.nanoTime() % 1_000_000;
    }
}
