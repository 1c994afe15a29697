package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.testing.KafkaFixture;
import org.junit.jupiter.api.Test;

/** {@code kafkasnap bench --compare kafka-streams} on tiny sizes against the test broker; its output, not its times. */
class BenchCommandTest {

    @Test
    void compareWithKafkaStreamsPrintsEveryRatioAndTheHopLatencyTable() {
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("bench", "--compare", "kafka-streams", "--records", "300",
                "--rounds", "1", "--warmup", "0", "--skip", "snapshots,restore", "--latency-samples", "40",
                "--hop-rate", "200", "--bootstrap", KafkaFixture.bootstrapServers());

        assertThat(run.exitCode()).as("exit code; out:%n%s%nerr:%n%s", run.out(), run.err()).isZero();
        assertThat(run.out()).containsPattern("round 1: plain [\\d,]+ rec/s, middleware [\\d,]+ rec/s, streams "
                + "at_least_once [\\d,]+ rec/s, streams exactly_once_v2 [\\d,]+ rec/s, ratio \\d+\\.\\d\\d");
        assertThat(run.lines()).anySatisfy(l -> assertThat(l).matches(
                " +Kafka Streams exactly_once_v2: in -> RocksDB count -> out +[\\d,]+ +\\d+\\.\\d\\d .*"));
        assertThat(run.out()).containsPattern("middleware / Kafka Streams exactly_once_v2: \\d+\\.\\d\\d "
                + "\\(range [\\d.]+-[\\d.]+; goal >= 2: (met|not met)\\)");
        assertThat(run.out()).contains("(b) one-hop latency at 200 records/s, ms (40 samples each, after 40 warm-up)");
        for (String row : new String[] {"plain produce -> consume (linger 0)",
                "middleware: node A's handler send -> node B's handler (outbox on)",
                "  the same sent from A's timer (leaves after the step's poll)",
                "Kafka Streams at_least_once: produce -> app -> consume",
                "Kafka Streams exactly_once_v2: produce -> app -> read_committed"}) {
            assertThat(run.lines()).as(row).anySatisfy(l -> assertThat(l).startsWith("    " + row)
                    .matches(".* +\\d+\\.\\d +\\d+\\.\\d +\\d+\\.\\d +\\d+\\.\\d"));
        }
        assertThat(run.out()).containsPattern("goals: hop p50 <= 2x plain: (met|not met) \\([\\d.]+x\\); "
                + "hop p99 <= 3x plain: (met|not met) \\([\\d.]+x\\)");
        assertThat(run.out()).doesNotContain("snapshot latency");
    }

    @Test
    void pipelineShapeTakesEverySnapshotCompleteAndPrintsItBesideFlinksFigure() {
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("bench", "--shape", "pipeline", "--snapshots", "3",
                "--snapshot-warmup", "2", "--rate", "100", "--skip", "throughput,hop,restore", "--latency-samples", "20",
                "--bootstrap", KafkaFixture.bootstrapServers());

        assertThat(run.exitCode()).as("exit code; out:%n%s%nerr:%n%s", run.out(), run.err()).isZero();
        assertThat(run.lines()).as(run.out()).anySatisfy(l -> assertThat(l).matches(
                " +snapshot, pipeline, 4 channels: trigger -> assembled\\+checked +[\\d.]+ +[\\d.]+ .*"));
        assertThat(run.lines()).as(run.out()).anySatisfy(l -> assertThat(l).matches(
                " +Flink 2\\.3 in memory, same shape \\(figure from issue 14, not run here\\) +9\\.0 .*"));
        assertThat(run.out()).containsPattern("snapshot p50 / Flink's p50: trigger -> last fragment [\\d.]+, "
                + "trigger -> assembled\\+checked [\\d.]+ \\(goal < 1: (met|not met)\\)");
        assertThat(run.out()).contains("4 services (pipeline): 3 snapshots (after 2 for warm-up), 0 not complete/"
                + "consistent/conserving");
        assertThat(run.lines()).as(run.out()).anySatisfy(l -> assertThat(l).matches(
                " +4 services, 4 channels \\(pipeline\\) +-?[\\d.]+ +(-?[\\d.]+|-)"));
    }

    @Test
    void channelCountsGiveBanksWithThatManyChannelsEachSnapshotCompleteAndTheCostOfOneMore() {
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("bench", "--services", "4", "--topology", "random:5",
                "--channels", "5,9", "--snapshots", "2", "--snapshot-warmup", "1", "--skip", "throughput,hop,restore", "--latency-samples",
                "20", "--bootstrap", KafkaFixture.bootstrapServers());

        assertThat(run.exitCode()).as("exit code; out:%n%s%nerr:%n%s", run.out(), run.err()).isZero();
        for (int channels : new int[] {5, 9}) {
            assertThat(run.out()).as("seed 5, %d channels", channels)
                    .contains("snapshot, 4 services, " + channels + " channels: trigger -> assembled+checked")
                    .contains("4 services (random:5:" + channels + "): 2 snapshots (after 1 for warm-up), 0 not "
                            + "complete");
            assertThat(run.lines()).as(run.out()).anySatisfy(l -> assertThat(l).matches(
                    " +4 services, " + channels + " channels \\(random:5:" + channels + "\\) +-?[\\d.]+ .*"));
        }
        assertThat(run.lines()).as(run.out()).anySatisfy(l -> assertThat(l).matches(
                " +one more channel, KiB \\(4 services: 5 -> 9 channels\\) +-?[\\d.]+ +(-?[\\d.]+|-)"));
    }

    @Test
    void badShapeAndChannelsGetAClearError() {
        KafkasnapCliTest.Run shape = KafkasnapCliTest.run("bench", "--shape", "star");
        assertThat(shape.exitCode()).isNotZero();
        assertThat(shape.err()).contains("--shape takes bank or pipeline, got 'star'");
        KafkasnapCliTest.Run ring = KafkasnapCliTest.run("bench", "--channels", "20");
        assertThat(ring.exitCode()).isNotZero();
        assertThat(ring.err()).contains("--channels needs --shape bank and --topology random:SEED");
        KafkasnapCliTest.Run many = KafkasnapCliTest.run("bench", "--services", "3", "--topology", "random:1",
                "--channels", "7");
        assertThat(many.exitCode()).isNotZero();
        assertThat(many.err()).contains("--channels 7 with --services 3: topology random:SEED:CHANNELS over 3 "
                + "services needs CHANNELS between 3 (a ring) and 6 (full), got 'random:1:7'");
    }

    @Test
    void badCompareSkipAndHopRateGetAClearError() {
        KafkasnapCliTest.Run compare = KafkasnapCliTest.run("bench", "--compare", "flink");
        assertThat(compare.exitCode()).isNotZero();
        assertThat(compare.err()).contains("--compare takes kafka-streams, got 'flink'");
        KafkasnapCliTest.Run skip = KafkasnapCliTest.run("bench", "--skip", "everything");
        assertThat(skip.exitCode()).isNotZero();
        assertThat(skip.err()).contains("--skip takes throughput, latency, hop, snapshots or restore, got 'everything'");
        KafkasnapCliTest.Run rate = KafkasnapCliTest.run("bench", "--hop-rate", "0");
        assertThat(rate.exitCode()).isNotZero();
        assertThat(rate.err()).contains("--hop-rate must be a positive number of records/s, got 0.0");
        KafkasnapCliTest.Run warmup = KafkasnapCliTest.run("bench", "--snapshot-warmup", "soon");
        assertThat(warmup.exitCode()).isNotZero();
        assertThat(warmup.err()).contains("--snapshot-warmup takes auto or a number of snapshots >= 0, got 'soon'");
    }
}
