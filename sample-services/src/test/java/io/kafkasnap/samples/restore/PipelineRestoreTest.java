package io.kafkasnap.samples.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.samples.pipeline.PipelineCheck;
import io.kafkasnap.samples.pipeline.PipelineCluster;
import io.kafkasnap.samples.pipeline.PipelineService;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline restored under load: after restoring S, the source numbers items on from S's count, and every later
 * snapshot counts every item exactly once (in flight or at the sink), relative to S.
 */
class PipelineRestoreTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path stateRoot;

    @Test
    void afterARestoreEveryItemIsCountedExactlyOnceAndTheSourceResumesFromTheSnapshotsCount() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        long seed = fixed != null ? fixed : System.nanoTime() % 1_000_000;
        String prefix = KafkaFixture.uniqueTopic("pipe-restore") + ".";
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        Map<String, Object> kafka = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        Properties props = new Properties();
        props.putAll(kafka);
        String control = prefix + "control";
        String collection = prefix + "fragments";
        try (PipelineCluster pipeline = PipelineCluster.start(kafka, prefix, control, collection, stateRoot, 300, seed);
             SnapshotCollector collector = SnapshotCollector.builder(props).controlTopic(control)
                     .collectionTopic(collection).timeout(Duration.ofSeconds(60)).build()) {
            GlobalSnapshot s = await().atMost(PATIENCE).until(() -> snapshot(collector),
                    g -> g.status() == GlobalSnapshot.Status.COMPLETE && g.inFlightMessageCount() > 0);
            long producedAtS = s.process(PipelineService.SOURCE).orElseThrow().state()
                    .get(PipelineService.PRODUCED).asLong();
            GlobalSnapshot later = await().atMost(PATIENCE).until(() -> snapshot(collector),
                    g -> g.status() == GlobalSnapshot.Status.COMPLETE && produced(g) > producedAtS + 100);

            try (Restores.Handle handle = collector.restore(s.snapshot(), false)) {
                assertThat(handle.await(PATIENCE)).as("restored, missing %s; %s", handle.missing(), context).isTrue();
            }

            for (int i = 0; i < 5; i++) {
                GlobalSnapshot after = snapshot(collector);
                PipelineCheck.Result result = PipelineCheck.check(view(after), prefix);
                assertThat(result.problems()).as("snapshot %d after restoring %d (produced %d, %d before the"
                        + " restore): %s; %s", after.snapshot(), s.snapshot(), result.produced(), produced(later),
                        after.toJson(true), context).isEmpty();
                assertThat(result.produced()).as("the source resumes from the snapshot's count; %s", context)
                        .isGreaterThanOrEqualTo(producedAtS);
            }
            pipeline.nodes().forEach(n -> assertThat(n.failure()).as("%s; %s", n.processId(), context).isEmpty());
        }
    }

    private static long produced(GlobalSnapshot g) {
        return g.process(PipelineService.SOURCE).orElseThrow().state().get(PipelineService.PRODUCED).asLong();
    }

    private static SnapshotView view(GlobalSnapshot g) {
        return SnapshotView.parse(g.toJson(false).getBytes(StandardCharsets.UTF_8));
    }

    private static GlobalSnapshot snapshot(SnapshotCollector collector) {
        long id = collector.trigger(Optional.empty());
        return collector.await(id, PATIENCE).orElseThrow(() -> new AssertionError("snapshot " + id));
    }
}
