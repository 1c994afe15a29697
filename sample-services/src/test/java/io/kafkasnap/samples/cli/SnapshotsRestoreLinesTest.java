package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.testing.KafkaFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code snapshots list}, {@code show} and {@code watch} over a bank that has been restored, on the real broker. */
class SnapshotsRestoreLinesTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String WHEN = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    @TempDir
    Path dir;

    @Test
    void listInterleavesRestoresWithSnapshotsShowMarksTheRestoredSnapshotAndWatchPrintsARestoreUntilDone()
            throws Exception {
        long seed = 29;
        String prefix = KafkaFixture.uniqueTopic("cli-restore") + ".";
        String control = prefix + "control";
        String collection = prefix + "fragments";
        String bootstrap = KafkaFixture.bootstrapServers();
        Map<String, Object> props = Kafka.clientProperties(bootstrap);
        String context = "seed " + seed + ", topics " + prefix + "*";
        String[] topics = {"--bootstrap", bootstrap, "--control-topic", control, "--collection-topic", collection};
        try (BankCluster bank = BankCluster.start(new BankCluster.Config(props, BankTopology.parse("ring", 3), prefix,
                control, collection, dir.resolve("state"), 500, 50, seed))) {
            String target = trigger(topics);
            String later = trigger(topics);
            KafkasnapCliTest.Run show = await().atMost(PATIENCE).until(() -> run(topics, "snapshots", "show", target),
                    r -> r.exitCode() == 0 && r.out().contains("complete"));
            assertThat(show.out()).as("no restore yet; %s", context).doesNotContain("restored to");

            StringWriter watched = new StringWriter();
            Thread watch = watch(watched, topics);
            try {
                KafkasnapCliTest.Run restore = run(topics, "restore", target, "--wait");
                assertThat(restore.exitCode()).as("restore: %s%s; %s", restore.out(), restore.err(), context).isZero();
                String epoch = restore.out().replaceAll("(?s)^restore (\\d+) .*", "$1");
                String done = "restore " + epoch + " -> snapshot " + target + " at " + WHEN
                        + ": 3/3 members restored in \\d+ ms";

                List<String> list = run(topics, "snapshots", "list").lines();
                assertThat(list).as("list; %s", context).anySatisfy(l -> assertThat(l).matches(done));
                int restoreLine = indexOf(list, "restore " + epoch + " ");
                assertThat(restoreLine).as("the restore after both snapshots: %s; %s", list, context)
                        .isGreaterThan(indexOf(list, "snapshot " + later + " "))
                        .isGreaterThan(indexOf(list, "snapshot " + target + " "));

                String after = trigger(topics);
                List<String> listed = await().atMost(PATIENCE).until(() -> run(topics, "snapshots", "list").lines(),
                        l -> indexOf(l, "snapshot " + after + " ") >= 0);
                assertThat(indexOf(listed, "snapshot " + after + " ")).as("a snapshot after the restore: %s; %s", listed, context)
                        .isGreaterThan(indexOf(listed, "restore " + epoch + " "));

                assertThat(run(topics, "snapshots", "show", target).lines()).as("show of the restored snapshot; %s", context)
                        .anySatisfy(l -> assertThat(l).matches("  restored to: " + done));
                assertThat(run(topics, "snapshots", "show", later).out()).as("show of another snapshot; %s", context)
                        .doesNotContain("restored to");

                await().atMost(PATIENCE).untilAsserted(() -> assertThat(lines(watched)).as("watch; %s", context)
                        .anySatisfy(l -> assertThat(l).matches(done)));
                List<String> watchLines = lines(watched);
                assertThat(watchLines.get(indexOf(watchLines, "restore " + epoch + " "))).as("watch: %s; %s", watchLines, context)
                        .matches("restore " + epoch + " -> snapshot " + target + " at " + WHEN
                                + ": \\d/3 members restored(, waiting for .*| in \\d+ ms)");
            } finally {
                watch.interrupt();
                watch.join(30_000);
            }
        }
    }

    private static Thread watch(StringWriter out, String[] topics) {
        CommandLine cli = KafkasnapCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        String[] args = concat(new String[] {"snapshots", "watch"}, topics);
        Thread thread = new Thread(() -> cli.execute(args), "snapshots-watch");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static List<String> lines(StringWriter out) {
        return Arrays.asList(out.toString().split("\\R"));
    }

    private static String trigger(String[] topics) {
        KafkasnapCliTest.Run trigger = KafkasnapCliTest.run("trigger", topics[0], topics[1], topics[2], topics[3]);
        assertThat(trigger.exitCode()).as(trigger.err()).isZero();
        return trigger.out().trim();
    }

    private static int indexOf(List<String> lines, String start) {
        // "snapshot 12 " is followed by padding: match the words, then any white space
        Pattern line = Pattern.compile("^" + Pattern.quote(start.trim()) + "\\s");
        for (int i = 0; i < lines.size(); i++) {
            if (line.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    /** The command's words, then the topic options every command here takes. */
    private static KafkasnapCliTest.Run run(String[] topics, String... words) {
        return KafkasnapCliTest.run(concat(words, topics));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
