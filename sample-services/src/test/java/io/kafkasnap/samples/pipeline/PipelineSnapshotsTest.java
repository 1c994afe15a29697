package io.kafkasnap.samples.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotRunner;
import io.kafkasnap.tools.common.TriggerPublisher;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline DAG (not strongly connected) on the real broker: every item counted exactly once in every snapshot. */
class PipelineSnapshotsTest {

    @TempDir
    Path stateRoot;

    @Test
    void everySnapshotCountsEveryItemExactlyOnce() {
        Long fixed = Long.getLong("kafkasnap.test.seed");
        long seed = fixed != null ? fixed : System.nanoTime() % 1_000_000;
        String prefix = KafkaFixture.uniqueTopic("pipe") + ".";
        String context = "seed " + seed + " (-Dkafkasnap.test.seed=" + seed + "), topics " + prefix + "*";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        String control = prefix + "control";
        String collection = prefix + "fragments";
        List<PipelineCheck.Result> results = new ArrayList<>();
        try (PipelineCluster pipeline = PipelineCluster.start(props, prefix, control, collection, stateRoot, 400, seed);
             SnapshotFeed feed = CollectorFeed.open(props, control, collection, Duration.ofSeconds(30));
             TriggerPublisher publisher = new TriggerPublisher(props, control)) {
            SnapshotRunner runner = new SnapshotRunner(publisher, feed);
            for (int i = 0; i < 20; i++) {
                SnapshotRunner.Taken taken = runner.take(Duration.ofSeconds(35));
                assertThat(taken.view()).as("snapshot %d assembled; %s", taken.id(), context).isPresent();
                PipelineCheck.Result result = PipelineCheck.check(taken.view().get(), prefix);
                assertThat(result.problems()).as("snapshot %d: %s; %s", taken.id(),
                        taken.view().get().toPrettyJson(), context).isEmpty();
                results.add(result);
                pipeline.nodes().forEach(n -> assertThat(n.failure()).as("%s; %s", n.processId(), context).isEmpty());
            }
        }
        assertThat(results).hasSize(20);
        assertThat(results.get(results.size() - 1).produced()).as("items flowed; %s", context).isPositive();
        assertThat(results.stream().mapToLong(r -> r.produced()).toArray()).as("produced only grows; %s", context)
                .isSorted();
        assertThat(results.stream().mapToInt(PipelineCheck.Result::inFlight).sum())
                .as("items recorded in flight over 20 snapshots; %s", context).isPositive();
    }
}
