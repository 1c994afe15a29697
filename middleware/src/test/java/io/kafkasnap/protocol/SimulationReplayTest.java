package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Replays simulations by seed. To replay a failure of {@link SimulationPropertiesTest}, put the seed from its
 * message in {@link #SEED} (or call {@code RandomSimulation.run(seed)}) and run this class.
 */
class SimulationReplayTest {

    static final long SEED = 20_251_125L;

    @Test
    void replaysAGivenSeed() {
        RandomSimulation.Outcome outcome = RandomSimulation.run(SEED);

        System.out.println("replayed " + outcome);
        assertThat(outcome.processes()).isBetween(20, 200);
        assertThat(outcome.steps()).isPositive();
    }

    @Test
    void aSeedAlwaysGivesTheSameRun() {
        assertThat(RandomSimulation.run(SEED)).isEqualTo(RandomSimulation.run(SEED));
    }

    @Test
    void aFailureNamesItsSeedAndShowsTheEndOfTheTrace() {
        long seed = 7;

        assertThatThrownBy(() -> RandomSimulation.run(seed, BrokenVariants.markerAfterNextAppMessage()))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("seed=7 (replay: RandomSimulation.run(7L))")
                .hasMessageContaining("last lines of the trace");
    }
}
