package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.testing.KafkaFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code snapshots watch --since} on a real broker: two triggers with no member (each fails at once as
 * {@code no-members}), one stamped two hours ago and one now. Without {@code --since} the watch prints both; with
 * {@code --since 30m} only the recent one.
 */
class SnapshotsWatchSinceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void watchSinceLeavesOutSnapshotsTriggeredBeforeAndPrintsTheLaterOnes() throws Exception {
        String prefix = KafkaFixture.uniqueTopic("watch-since") + ".";
        String control = prefix + "control";
        String collection = prefix + "fragments";
        KafkaFixture.createTopics(1, control, collection);
        long old;
        long recent;
        Properties props = KafkaFixture.clientProperties();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] trigger = new ControlRecord.Trigger(Optional.empty()).toJson();
            long now = System.currentTimeMillis();
            old = producer.send(new ProducerRecord<>(control, 0, now - Duration.ofHours(2).toMillis(), null, trigger))
                    .get().offset();
            recent = producer.send(new ProducerRecord<>(control, 0, now, null, trigger)).get().offset();
        }
        String[] topics = {"--bootstrap", KafkaFixture.bootstrapServers(), "--control-topic", control,
                "--collection-topic", collection};

        List<String> all = watchUntil(topics, recent);
        assertThat(all).as("watch without --since: %s", all)
                .anySatisfy(l -> assertThat(l).startsWith("snapshot " + old + " "))
                .anySatisfy(l -> assertThat(l).startsWith("snapshot " + recent + " "));

        List<String> since = watchUntil(concat(topics, "--since", "30m"), recent);
        assertThat(since).as("watch --since 30m: %s", since)
                .noneSatisfy(l -> assertThat(l).startsWith("snapshot " + old + " "))
                .anySatisfy(l -> assertThat(l).startsWith("snapshot " + recent + " "));
    }

    @Test
    void aSinceThatIsNoDurationGetsAClearError() {
        ToolsRun run = ToolsRun.of("snapshots", "watch", "--bootstrap", "localhost:1", "--since", "yesterday");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'yesterday' is not a duration");
    }

    /** Runs {@code snapshots watch} until it printed the line of {@code last}; the lines it printed. */
    private static List<String> watchUntil(String[] options, long last) throws InterruptedException {
        StringWriter out = new StringWriter();
        CommandLine cli = ToolsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        Thread thread = new Thread(() -> cli.execute(concat(new String[] {"snapshots", "watch"}, options)),
                "snapshots-watch");
        thread.setDaemon(true);
        thread.start();
        try {
            await().atMost(PATIENCE).until(() -> lines(out).stream()
                    .anyMatch(l -> l.startsWith("snapshot " + last + " ")));
        } finally {
            thread.interrupt();
            thread.join(30_000);
        }
        return lines(out);
    }

    private static List<String> lines(StringWriter out) {
        return Arrays.asList(out.toString().split("\\R"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
