package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.protocol.ExhaustiveChecker.Reduction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Evidence for the partial-order reductions on bounds small enough to explore in full: on the correct core both
 * reduced searches (per-process persistent sets and stubborn sets) end in exactly the states the full one ends in
 * (the theorem says they must), and a split budget ends where the shared one does. That the reduction still finds every broken variant is in
 * {@link CheckerFindsBrokenVariantsTest}.
 */
class ReductionAgreesWithTheFullGraphTest {

    static Stream<SimScenario> small() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.dagOf4(), 1, "src", "w1")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP)
                        .withSnapshots(java.util.List.of(new SnapshotPlan(1, java.util.List.of("a", "b")))),
                // Two incoming channels per process, each with its own share of the budget: where the per-channel
                // rule of the persistent set (a sender with no budget left for that channel) matters most.
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP)
                        .withSnapshots(java.util.List.of(SnapshotPlan.broadcast(2))),
                // Aligned capture: holds disable deliveries and a CaptureNow may come at any step.
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b").aligned(),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP).aligned());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("small")
    void theReducedSearchEndsInTheSameStatesAsTheFullOne(SimScenario scenario) {
        CheckResult stubborn = ExhaustiveChecker.check(scenario, Reduction.STUBBORN_SETS);
        CheckResult persistent = ExhaustiveChecker.check(scenario, Reduction.PERSISTENT_SETS);
        CheckResult full = ExhaustiveChecker.check(scenario, Reduction.NONE);
        CheckResult shared = ExhaustiveChecker.check(scenario.with(SimScenario.Budget.SHARED), Reduction.NONE);
        System.out.println(stubborn.summary() + System.lineSeparator() + persistent.summary()
                + System.lineSeparator() + full.summary() + System.lineSeparator()
                + shared.summary() + " (shared budget)  [" + scenario + "]");

        for (CheckResult result : new CheckResult[] {stubborn, persistent, full, shared}) {
            assertThat(result.counterexample()).isEmpty();
        }
        assertThat(full.finalStates()).isNotEmpty().isEqualTo(shared.finalStates())
                .isEqualTo(persistent.finalStates()).isEqualTo(stubborn.finalStates());
        assertThat(persistent.states()).isLessThan(full.states());
        assertThat(stubborn.states()).isLessThanOrEqualTo(persistent.states());
    }
}
