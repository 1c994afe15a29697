package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checker must fail on each deliberately broken variant, with a readable trace that names the rule. */
class CheckerFindsBrokenVariantsTest {

    private static final SimScenario TWO_NODES =
            SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b");
    private static final SimScenario RING = SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 2, "a", "b");

    @Test
    void aMarkerSentAfterTheNextAppMessageIsCaught() {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.markerAfterNextAppMessage()));

        assertThat(found.violation()).contains("marker placement");
    }

    @Test
    void aChannelThatIsNotRecordedIsCaught() {
        Counterexample found = counterexample(RING.with(BrokenVariants.channelNotRecorded("b>c")));

        assertThat(found.violation()).contains("rule 3").contains("b>c");
    }

    @Test
    void recordingThatStopsOneRecordLateIsCaught() {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.recordingStopsOneRecordLate()));

        assertThat(found.violation()).containsAnyOf("rule 3", "after completing its fragment");
    }

    @Test
    void theTraceIsNumberedStepByStepAndEndsWithTheViolation() {
        Counterexample found = counterexample(TWO_NODES.with(BrokenVariants.channelNotRecorded("a>b")));

        assertThat(found.trace()).contains("   1. ").contains("  => " + found.violation());
        assertThat(found.path()).isNotEmpty();
        assertThat(found.trace().lines().filter(line -> line.matches("\\s*\\d+\\. .*")).count())
                .isEqualTo(found.path().size());
    }

    private static Counterexample counterexample(SimScenario scenario) {
        CheckResult result = ExhaustiveChecker.check(scenario);
        assertThat(result.counterexample()).as("the checker must catch: " + scenario).isPresent();
        Counterexample found = result.counterexample().orElseThrow();
        System.out.println(found.trace());
        return found;
    }
}
