package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.protocol.ExhaustiveChecker.Reduction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checker must fail on each deliberately broken variant, with a readable trace that names the rule; with each
 * partial-order reduction and without one (the full graph), so that the reductions are seen not to hide them.
 */
class CheckerFindsBrokenVariantsTest {

    private static final SimScenario TWO_NODES =
            SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b");
    /** One app message: enough for the variant to show, and the full graph is explored in a second. */
    private static final SimScenario RING = SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 1, "a", "b");

    /** Not with stubborn sets: they count on markers reaching the channel at the capture, which this breaks. */
    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "PERSISTENT_SETS"})
    void aMarkerSentAfterTheNextAppMessageIsCaught(Reduction reduction) {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.markerAfterNextAppMessage()), reduction);

        assertThat(found.violation()).contains("marker placement");
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void aChannelThatIsNotRecordedIsCaught(Reduction reduction) {
        Counterexample found = counterexample(RING.with(BrokenVariants.channelNotRecorded("b>c")), reduction);

        assertThat(found.violation()).contains("rule 3").contains("b>c");
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void recordingThatStopsOneRecordLateIsCaught(Reduction reduction) {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.recordingStopsOneRecordLate()),
                reduction);

        assertThat(found.violation()).containsAnyOf("rule 3", "after completing its fragment");
    }

    /**
     * Not with stubborn sets: they assume a process's steps on different channels commute, which this breaks
     * ({@code IndependenceHoldsTest} catches that claim failing on this very variant).
     */
    @ParameterizedTest
    @EnumSource(value = Reduction.class, names = {"NONE", "PERSISTENT_SETS"})
    void aKeptRecordDroppedAfterAChannelSwitchIsCaught(Reduction reduction) {
        SimScenario dag = SimScenario.twoSnapshots(SimTopology.dagOf4(), 2, "src", "w1")
                .withSnapshots(java.util.List.of(SnapshotPlan.broadcast(2)));
        Counterexample found = counterexample(dag.with(BrokenVariants.keptRecordDroppedAfterAChannelSwitch()),
                reduction);

        assertThat(found.violation()).contains("rule 3");
    }

    /** Aligned capture that lets a held channel go before recording: a record sent after the cut gets inside it. */
    @ParameterizedTest
    @EnumSource(Reduction.class)
    void aHeldChannelReleasedBeforeTheCaptureIsCaught(Reduction reduction) {
        // Two incoming channels per process: with one, the first marker is the last and nothing is ever held.
        SimScenario complete = SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                .withSnapshots(java.util.List.of(SnapshotPlan.broadcast(2)));
        Counterexample found = counterexample(complete.aligned()
                .with(BrokenVariants.heldChannelReleasedBeforeTheCapture()), reduction);

        assertThat(found.violation()).containsAnyOf("orphan", "conservation", "rule 2");
    }

    @Test
    void theTraceIsNumberedStepByStepAndEndsWithTheViolation() {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.channelNotRecorded("a>b")),
                Reduction.PERSISTENT_SETS);

        assertThat(found.trace()).contains("   1. ").contains("  => " + found.violation());
        assertThat(found.path()).isNotEmpty();
        assertThat(found.trace().lines().filter(line -> line.matches("\\s*\\d+\\. .*")).count())
                .isEqualTo(found.path().size());
    }

    private static Counterexample counterexample(SimScenario scenario, Reduction reduction) {
        CheckResult result = ExhaustiveChecker.check(scenario, reduction);
        assertThat(result.counterexample()).as("the checker must catch (" + reduction + "): " + scenario).isPresent();
        Counterexample found = result.counterexample().orElseThrow();
        System.out.println(reduction + ": " + result.summary() + System.lineSeparator() + found.trace());
        return found;
    }
}
