package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every interleaving of triggers, deliveries, state readouts and app sends on small topologies, on the real core,
 * with S1 started by two initiators at once and S2 by the broadcast trigger. The default bounds keep
 * {@code ./mvnw verify} short; {@code -Pexhaustive} sets {@code kafkasnap.check.bound=large}. Figures are in
 * docs/verification.md; each run prints its own to the test output.
 */
class ExhaustiveCheckTest {

    static final boolean LARGE = "large".equals(System.getProperty("kafkasnap.check.bound"));

    static Stream<SimScenario> scenarios() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), LARGE ? 3 : 2, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), LARGE ? 2 : 1, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), LARGE ? 2 : 1, "a", "b"),
                // The source must be an initiator: nothing reaches it, so it records only on a trigger.
                SimScenario.twoSnapshots(SimTopology.dagOf4(), LARGE ? 2 : 1, "src", "w1"));
    }

    /** A runtime that answers inside the Controller calls: this is what found the re-entrancy bug. */
    static Stream<SimScenario> answersInsideTheCalls() {
        return Stream.of(SimTopology.twoNodesBothWays(), SimTopology.directedRingOf3())
                .map(topology -> SimScenario.twoSnapshots(topology, 2, "a", "b")
                        .withCallbacks(Callback.INSIDE_CALL, Callback.INSIDE_CALL));
    }

    /** Acks as steps of their own too: about ten times the states per app message, so a smaller bound. */
    static Stream<SimScenario> acksInterleaved() {
        return Stream.of(SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), LARGE ? 2 : 1, "a", "b")
                .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"scenarios", "answersInsideTheCalls", "acksInterleaved"})
    void everyInterleavingGivesConsistentSnapshotsThatComplete(SimScenario scenario) {
        CheckResult result = ExhaustiveChecker.check(scenario);

        System.out.println(result.summary() + "  [" + scenario + "]");
        assertThat(result.counterexample()).as(() -> result.counterexample().map(Counterexample::trace).orElse(""))
                .isEmpty();
        assertThat(result.executions()).isPositive();
    }
}
