package io.kafkasnap.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.testing.KafkaFixture;
import io.kafkasnap.tools.common.Kafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's Kafka Streams comparison and one-hop latency on tiny sizes against the test broker: every record
 * arrives and is counted once, and every latency figure is a finite, non-negative number. Nothing here is timed.
 */
class BenchCompareTest {

    private static final int RECORDS = 300;
    private static final int SAMPLES = 60;
    private static final double RATE = 200;

    @TempDir
    Path state;

    private Bench bench() {
        return new Bench(Kafka.clientProperties(KafkaFixture.bootstrapServers()),
                KafkaFixture.uniqueTopic("bench") + ".", state);
    }

    @Test
    void streamsRunsCountEveryRecordOnceUnderBothGuarantees() throws Exception {
        Bench bench = bench();
        for (Bench.Guarantee guarantee : Bench.Guarantee.values()) {
            Bench.Throughput run = bench.streamsThroughput(guarantee, RECORDS, 50);
            assertThat(run.records()).as(guarantee.config()).isEqualTo(RECORDS);
            assertThat(run.counted()).as("%s: the store's count", guarantee.config()).isEqualTo(RECORDS);
            assertThat(run.perSecond()).as(guarantee.config()).isFinite().isPositive();
        }
    }

    @Test
    void plainAndMiddlewareRunsCountEveryRecordOnce() throws Exception {
        Bench bench = bench();
        assertThat(bench.plainThroughput(RECORDS, 50).counted()).isEqualTo(RECORDS);
        assertThat(bench.middlewareThroughput(RECORDS, 50).counted()).as("the sink's count state")
                .isEqualTo(RECORDS);
    }

    @Test
    void aMiddlewareRunTakingSnapshotsCountsEveryRecordOnceAndEachSnapshotCompletesOrIsRefusedAsOneTooMany()
            throws Exception {
        // Triggers every 5 ms come faster than snapshots finish: the ones beyond a node's 4 in flight are refused.
        Bench.SnapshottedRun run = bench().middlewareThroughputWithSnapshots(20_000, 50, java.time.Duration.ofMillis(5));
        assertThat(run.throughput().counted()).as("the sink's count state").isEqualTo(20_000);
        assertThat(run.others().keySet()).as("outcomes other than complete, of %d triggered", run.triggered())
                .isSubsetOf("failed/too-many-concurrent");
        assertThat(run.complete() + run.others().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(run.triggered());
    }

    @Test
    void fixedRateLatenciesHaveEverySampleAndFinitePercentiles() throws Exception {
        Bench bench = bench();
        assertWellFormed("plain at a fixed rate", bench.plainRateLatency(RATE, SAMPLES));
        assertWellFormed("one node hop", bench.hopLatency(RATE, SAMPLES));
        assertWellFormed("one node hop from a timer", bench.timerHopLatency(RATE, SAMPLES));
        for (Bench.Guarantee guarantee : Bench.Guarantee.values()) {
            assertWellFormed("Kafka Streams " + guarantee.config(), bench.streamsLatency(guarantee, RATE, SAMPLES));
        }
    }

    private static void assertWellFormed(String what, Bench.Latencies latencies) {
        assertThat(latencies.count()).as(what).isEqualTo(SAMPLES);
        assertThat(java.util.Arrays.stream(latencies.millis()).boxed().toList()).as(what)
                .allSatisfy(ms -> assertThat(ms).isFinite().isNotNegative());
        assertThat(latencies.percentile(50)).as(what).isFinite().isPositive();
        assertThat(latencies.percentile(99)).as(what).isFinite().isGreaterThanOrEqualTo(latencies.percentile(50));
    }
}
