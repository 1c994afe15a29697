package io.kafkasnap.protocol;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Histogram;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Seeded simulations of 20 to 200 processes on the real core, half of them with aligned capture. The seed is the only input, so shrinking it would
 * not make a failure simpler, only lose it: shrinking is off and the failure message names the seed, which
 * {@link SimulationReplayTest} shows how to replay.
 */
class SimulationPropertiesTest {

    @Property(tries = 60, shrinking = ShrinkingMode.OFF)
    @StatisticsReport(label = "processes", format = Histogram.class)
    void everySnapshotIsConsistentAndCompletesWhereverItsInitiatorsReach(@ForAll long seed) {
        RandomSimulation.Outcome outcome = RandomSimulation.run(seed);

        Statistics.label("shape").collect(outcome.shape());
        Statistics.label("capture").collect(outcome.aligned() ? "aligned" : "at once");
        Statistics.label("processes").collect(outcome.processes() / 50 * 50);
        Statistics.label("snapshots complete everywhere / planned")
                .collect(outcome.completeEverywhere() + "/" + outcome.snapshots());
    }
}
