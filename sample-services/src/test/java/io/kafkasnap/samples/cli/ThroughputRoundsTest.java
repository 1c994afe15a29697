package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The throughput summary: ratios within a round, medians across rounds. */
class ThroughputRoundsTest {

    private static String summary(ThroughputRounds rounds) {
        StringWriter text = new StringWriter();
        rounds.print(new PrintWriter(text, true), 1000, 100);
        return text.toString();
    }

    @Test
    void ratiosAreTakenWithinEachRoundAndTheMedianOfThemIsPrinted() {
        ThroughputRounds rounds = new ThroughputRounds(true);
        // plain doubles from round to round; the ratios to plain stay 0.5 (middleware) and 0.2 (Streams eos)
        rounds.add(new ThroughputRounds.Round(100, 50, 30, 20));
        rounds.add(new ThroughputRounds.Round(200, 100, 60, 40));
        String line = rounds.add(new ThroughputRounds.Round(400, 200, 120, 80));

        assertThat(line).isEqualTo("plain 400 rec/s, middleware 200 rec/s, streams at_least_once 120 rec/s, streams "
                + "exactly_once_v2 80 rec/s, ratio 0.50 (streams alos 0.30, eos 0.20; middleware / streams eos 2.50)");
        String summary = summary(rounds);
        assertThat(summary).containsPattern("middleware: source node -> sink node \\(RocksDB count\\) +100 +0\\.50 "
                + "+0\\.50-0\\.50");
        assertThat(summary).containsPattern("Kafka Streams exactly_once_v2: in -> RocksDB count -> out +40 +0\\.20 ");
        assertThat(summary).contains("middleware / Kafka Streams exactly_once_v2: 2.50 (range 2.50-2.50; "
                + "goal >= 2: met)");
    }

    @Test
    void withoutTheComparisonOnlyPlainAndMiddlewareArePrinted() {
        ThroughputRounds rounds = new ThroughputRounds(false);
        rounds.add(new ThroughputRounds.Round(100, 40, Double.NaN, Double.NaN));
        rounds.add(new ThroughputRounds.Round(100, 60, Double.NaN, Double.NaN));

        String summary = summary(rounds);
        assertThat(summary).containsPattern("middleware: source node -> sink node \\(RocksDB count\\) +50 +0\\.50 "
                + "+0\\.40-0\\.60");
        assertThat(summary).doesNotContain("Kafka Streams");
    }

    @Test
    void theSnapshottingRunIsPrintedAsARatioToPlainWithHowManySnapshotsCompleted() {
        ThroughputRounds rounds = new ThroughputRounds(false);
        String line = rounds.add(new ThroughputRounds.Round(100, 50, Double.NaN, Double.NaN, 40));
        rounds.add(new ThroughputRounds.Round(200, 100, Double.NaN, Double.NaN, 80));
        rounds.snapshotsNote("one every 1000 ms: 4 triggered, 4 complete");

        assertThat(line).isEqualTo("plain 100 rec/s, middleware 50 rec/s, middleware taking snapshots 40 rec/s "
                + "(ratio 0.40), ratio 0.50");
        assertThat(summary(rounds)).containsPattern("the same, taking snapshots during the run \\(one every 1000 ms: "
                + "4 triggered, 4 complete\\) +60 +0\\.40 +0\\.40-0\\.40");
    }
}
