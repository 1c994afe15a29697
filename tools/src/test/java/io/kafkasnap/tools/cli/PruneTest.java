package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code snapshots prune} on a group of two plain nodes (no application check on the class path): it says what it
 * kept and why and logs no warning; a pruned snapshot is then listed and shown as pruned, and a restore of it is
 * refused saying so.
 */
class PruneTest {

    @TempDir
    Path dir;

    @Test
    void pruneSaysWhatItKeptAPrunedSnapshotShowsAsPrunedAndIsNotRestored() {
        String prefix = KafkaFixture.uniqueTopic("prune") + ".";
        String control = prefix + "control";
        String collection = prefix + "fragments";
        String channel = prefix + "a.b";
        String bootstrap = KafkaFixture.bootstrapServers();
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap);
        String[] topics = {"--bootstrap", bootstrap, "--control-topic", control, "--collection-topic", collection};
        SnapshotNode sender = SnapshotNode.builder().processId("a").kafkaProperties(props).stateDir(dir.resolve("a"))
                .outgoing(List.of(channel)).controlTopic(control).collectionTopic(collection)
                .timer(Duration.ofMillis(20), ctx -> {
                    long n = ctx.state().getLong("sent", 0) + 1;
                    ctx.state().putLong("sent", n);
                    ctx.send(channel, Long.toString(n).getBytes(StandardCharsets.UTF_8));
                })
                .build();
        SnapshotNode receiver = SnapshotNode.builder().processId("b").kafkaProperties(props).stateDir(dir.resolve("b"))
                .incoming(List.of(channel)).controlTopic(control).collectionTopic(collection)
                .onRecord((ctx, record) -> ctx.state().putLong("received", ctx.state().getLong("received", 0) + 1))
                .build();
        Properties clientProps = new Properties();
        clientProps.putAll(props);
        try (sender; receiver;
             SnapshotCollector collector = SnapshotCollector.builder(clientProps).controlTopic(control)
                     .collectionTopic(collection).build()) {
            sender.start();
            receiver.start();
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ToolsRun trigger = run(topics, "trigger");
                assertThat(trigger.exitCode()).as(trigger.err()).isZero();
                long id = Long.parseLong(trigger.out().trim());
                GlobalSnapshot snapshot = collector.await(id, Duration.ofSeconds(60)).orElseThrow();
                assertThat(snapshot.status()).as("snapshot %d: %s", id, snapshot.detail())
                        .isEqualTo(GlobalSnapshot.Status.COMPLETE);
                ids.add(id);
            }

            ToolsRun prune;
            List<String> warnings;
            try (WarningCapture capture = new WarningCapture()) {
                prune = run(topics, "snapshots", "prune", "--keep", "2");
                warnings = capture.lines();
            }
            assertThat(prune.exitCode()).as(prune.err()).isZero();
            assertThat(prune.lines()).as(prune.out()).hasSize(2);
            assertThat(prune.lines().get(0)).matches("deleted " + Pattern.quote(collection)
                    + " before offset \\d+: 2 snapshot\\(s\\) " + Pattern.quote(List.of(ids.get(0), ids.get(1)).toString()));
            assertThat(prune.lines().get(1)).isEqualTo("kept " + List.of(ids.get(2), ids.get(3))
                    + ": the newest 2 complete");
            assertThat(prune.err()).isEmpty();
            assertThat(warnings).as("no warning per snapshot, none for the channels not read").isEmpty();

            // the snapshots are seconds old: a short timeout lets the reader give up on the missing fragments
            List<String> list = run(topics, "snapshots", "list", "--timeout", "1").lines();
            String pruned = "PRUNED (its fragments were deleted from " + collection;
            assertThat(list).as("list").anySatisfy(l -> assertThat(l).startsWith("snapshot " + ids.get(0) + " ")
                    .contains(" pruned ", pruned).doesNotContain("timed-out"));
            assertThat(list).as("list").anySatisfy(l -> assertThat(l).startsWith("snapshot " + ids.get(3) + " ")
                    .contains(" complete ", "consistent"));

            ToolsRun show = run(topics, "snapshots", "show", ids.get(1).toString(), "--timeout", "1");
            assertThat(show.exitCode()).as(show.err()).isZero();
            assertThat(show.lines().get(0)).contains(" pruned ", pruned).doesNotContain("no fragment within");

            ToolsRun restore = run(topics, "restore", ids.get(0).toString());
            assertThat(restore.exitCode()).isEqualTo(1);
            assertThat(restore.err()).contains("restore refused: snapshot " + ids.get(0) + " was pruned")
                    .doesNotContain("timed-out");

            ToolsRun again = run(topics, "snapshots", "prune", "--keep", "2");
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.lines().get(0)).startsWith("nothing to delete: " + collection + " already starts at");
        }
    }

    private static ToolsRun run(String[] topics, String... words) {
        String[] args = new String[words.length + topics.length];
        System.arraycopy(words, 0, args, 0, words.length);
        System.arraycopy(topics, 0, args, words.length, topics.length);
        return ToolsRun.of(args);
    }
}
