package io.kafkasnap.samples.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.kafka.Triggers;
import io.kafkasnap.node.SnapshotNodeConfig;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.dashboard.Dashboard;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in a real headless browser, over a bank of three services on the real broker: the graph names every
 * process and channel, a snapshot triggered from the page appears in the history, opening one shows each member's
 * state and the transfers recorded in flight, and restoring it from the page (after a confirmation) shows the restore
 * complete and every process in its epoch; a restore the library refuses shows why.
 */
class DashboardBrowserTest {

    private static final Duration PAGE_WAIT = Duration.ofSeconds(60);
    private static final int SERVICES = 3;

    @TempDir
    Path temp;

    @Test
    @SuppressWarnings("unchecked")
    void graphShowsTheBankATriggeredSnapshotOpensWithStatesAndInFlightMessagesAndRestoresFromThePage()
            throws Exception {
        long seed = seed();
        String prefix = KafkaFixture.uniqueTopic("dash") + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        BankTopology topology = BankTopology.parse("full", SERVICES);
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        BankCluster.Config bankConfig = new BankCluster.Config(props, topology, prefix, prefix + "control",
                prefix + "fragments", temp.resolve("state"), 1000, 200, seed)
                // the branches publish their status (epoch, positions) where this dashboard reads it
                .withNodeSetting(SnapshotNodeConfig.STATUS_TOPIC, prefix + "status");
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
            // the full bank has a→b and b→a for every pair: each channel's label must have a place of its own
            assertThat(graphText(browser)).as("channel labels with their lag").filteredOn(t -> t.contains(" · lag "))
                    .hasSameSizeAs(topology.allTopics(""));
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(overlappingEdgeLabels(browser))
                    .as("channel labels drawn over one another; %s", context).isEmpty());

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
            // the history chart's axis names are drawn whole, inside the chart
            assertThat((List<Object>) browser.executeScript("""
                    const box = document.getElementById('chart').getBoundingClientRect();
                    return [...document.querySelectorAll('#chart svg text')]
                        .filter(t => ['ms', 'in flight / KiB', 'snapshot'].includes(t.textContent))
                        .filter(t => { const r = t.getBoundingClientRect();
                          return r.left >= box.left && r.right <= box.right && r.top >= box.top
                              && r.bottom <= box.bottom; })
                        .map(t => t.textContent);""")).as("axis names inside the chart; %s", context)
                    .containsExactlyInAnyOrder("ms", "in flight / KiB", "snapshot");

            long chosen = withMessages;
            await().atMost(PAGE_WAIT).ignoreExceptionsMatching(DashboardBrowserTest::rowNotThereYet)
                    .untilAsserted(() -> browser.findElement(By.cssSelector("#history tr[data-id='" + chosen + "']"))
                            .click());
            await().atMost(PAGE_WAIT).untilAsserted(() -> {
                assertThat(texts(browser, "#detail-id")).containsExactly(Long.toString(chosen));
                assertThat(texts(browser, "#detail tr.state td:first-child"))
                        .as("members whose state is shown for snapshot %d; %s", chosen, context)
                        .containsExactlyElementsOf(expected.subList(0, SERVICES));
                assertThat(texts(browser, "#detail tr.state td.value"))
                        .allSatisfy(state -> assertThat(state).contains("\"balance\""));
                // each member's timeline from its fragment, drawn as a bar of its phases with the points in ms
                assertThat(texts(browser, "#timeline tr.timeline td:first-child"))
                        .as("members with a timeline in snapshot %d; %s", chosen, context)
                        .containsExactlyElementsOf(expected.subList(0, SERVICES));
                assertThat(texts(browser, "#timeline tr.timeline .tl-text")).allSatisfy(text -> assertThat(text)
                        .matches("by (trigger|marker) · seen \\+\\d+ · captured \\+\\d+ · markers \\+\\d+ .*"
                                + " · published \\+\\d+ ms"));
                assertThat(browser.findElements(By.cssSelector("#timeline tr.timeline .tl-bar .tl-seg")))
                        .hasSize(5 * SERVICES);
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

            // A newer snapshot arriving while the messages are read must leave them (and the snapshot) in view.
            long newer = triggerFromPage(browser, context);
            await().atMost(PAGE_WAIT).until(() -> texts(browser, "#history tr[data-id='" + newer + "'] td"),
                    c -> !c.isEmpty());
            assertThat(texts(browser, "#detail-id")).as("snapshot shown after %d arrived; %s", newer, context)
                    .containsExactly(Long.toString(chosen));
            assertThat(texts(browser, "#message-list li")).as("messages of %s still shown; %s", topic, context)
                    .hasSize(count);
            assertThat(browser.findElement(By.id("follow")).isDisplayed()).as("'follow latest' offered").isTrue();

            // Restore the snapshot shown, a complete one, through the page: confirm, then follow it in "Restores".
            String epoch = restoreFromPage(browser, chosen, context);
            await().atMost(PAGE_WAIT).untilAsserted(() -> {
                List<String> cells = texts(browser, "#restores tr[data-epoch='" + epoch + "'] td");
                assertThat(cells).as("row of restore %s in the Restores panel; %s", epoch, context).hasSize(7);
                assertThat(cells.get(1)).as("its snapshot").isEqualTo(Long.toString(chosen));
                assertThat(cells.get(3)).as("members restored; %s", context).isEqualTo(SERVICES + "/" + SERVICES);
                assertThat(cells.get(4)).as("members missing").isEmpty();
                assertThat(cells.get(5)).as("duration").matches("\\d+ ms");
                assertThat(cells.get(6)).as("state").isEqualTo("done");
            });
            assertThat(texts(browser, "#restored-by")).as("the snapshot shown says it was restored to; %s", context)
                    .singleElement().asString().contains("restore " + epoch + " (" + SERVICES + "/" + SERVICES
                            + " restored, done)");
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(graphText(browser))
                    .as("every process shows the new epoch from its status record; %s", context)
                    .filteredOn(t -> t.contains("epoch " + epoch)).hasSize(SERVICES));

            // A snapshot whose initiator is no member fails every time: its restore is refused, and the page says why.
            Properties triggerProps = new Properties();
            triggerProps.putAll(props);
            long failed = Triggers.trigger(triggerProps, bankConfig.controlTopic(), Optional.of("nobody"));
            await().atMost(PAGE_WAIT).ignoreExceptionsMatching(DashboardBrowserTest::rowNotThereYet)
                    .untilAsserted(() -> browser.findElement(By.cssSelector("#history tr[data-id='" + failed + "']"))
                            .click());
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(texts(browser, "#detail-id"))
                    .containsExactly(Long.toString(failed)));
            browser.findElement(By.id("restore")).click();
            accept(browser, failed);
            await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(browser.findElement(By.id("restore-result"))
                    .getText()).as("refusal shown; %s", context).startsWith("restore refused: snapshot " + failed
                            + " is failed").contains("only a complete snapshot can be restored"));

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

    /** Clicks "Restore to this snapshot", accepts the confirmation and returns the epoch the page reports. */
    private static String restoreFromPage(ChromeDriver browser, long snapshot, String context) {
        await().atMost(PAGE_WAIT).untilAsserted(() -> assertThat(browser.findElement(By.id("restore"))
                .getAttribute("data-id")).isEqualTo(Long.toString(snapshot)));
        browser.findElement(By.id("restore")).click();
        accept(browser, snapshot);
        WebElement result = browser.findElement(By.id("restore-result"));
        return await().atMost(PAGE_WAIT).until(() -> {
            String epoch = result.getAttribute("data-epoch");
            assertThat(result.getAttribute("class")).as("restore result %s; %s", result.getText(), context)
                    .isNotEqualTo("bad");
            return epoch;
        }, Objects::nonNull);
    }

    private static void accept(ChromeDriver browser, long snapshot) {
        Alert confirm = await().atMost(PAGE_WAIT).ignoreExceptionsInstanceOf(NoAlertPresentException.class)
                .until(() -> browser.switchTo().alert(), Objects::nonNull);
        assertThat(confirm.getText()).startsWith("Restore the whole system to snapshot " + snapshot + "?");
        confirm.accept();
    }

    /**
     * Pairs of channel labels (those with a lag) that intersect on the page, with their corners. Labels are drawn along
     * their channels, turned: their boxes are the text's own box through its transformation to the screen, compared
     * side by side (separating axes). Their bounding rectangles on the screen would be no measure: two turned labels
     * one above the other have intersecting bounding rectangles without touching.
     */
    @SuppressWarnings("unchecked")
    private static List<String> overlappingEdgeLabels(ChromeDriver browser) {
        return (List<String>) browser.executeScript("""
                const corners = t => {
                  const b = t.getBBox(), m = t.getScreenCTM();
                  return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
                    .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
                };
                const apart = (p, q) => [p, q].some(quad => quad.some((c, i) => {
                  const d = quad[(i + 1) % 4], ax = d[1] - c[1], ay = c[0] - d[0];
                  const pp = p.map(([x, y]) => x * ax + y * ay), pq = q.map(([x, y]) => x * ax + y * ay);
                  return Math.max(...pp) <= Math.min(...pq) || Math.max(...pq) <= Math.min(...pp);
                }));
                const labels = [...document.querySelectorAll('#graph svg text')]
                    .filter(t => t.textContent.includes(' · lag ')).map(t => ({ text: t.textContent, box: corners(t) }));
                const out = [];
                labels.forEach((a, i) => labels.slice(i + 1).forEach(b => {
                  if (!apart(a.box, b.box)) out.push(a.text + ' / ' + b.text + ' '
                      + JSON.stringify([a.box, b.box].map(q => q.map(c => c.map(Math.round)))));
                }));
                return out;""");
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

    /** A history row not drawn yet, or drawn again between finding and clicking it: both pass once the page settles. */
    private static boolean rowNotThereYet(Throwable e) {
        return e instanceof NoSuchElementException || e instanceof StaleElementReferenceException;
    }
}
