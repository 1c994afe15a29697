package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every interleaving of triggers, deliveries, state readouts and app sends on small topologies, on the real core,
 * with S1 started by two initiators at once and S2 by the broadcast trigger, explored with stubborn sets and one
 * split of the budget of each set of mirror images (every state where nothing can happen any more is reached, up
 * to renaming; docs/verification.md says why every check survives that). The default bounds keep
 * {@code ./mvnw verify} to about a minute; {@code -Pexhaustive} sets
 * {@code kafkasnap.check.bound=large}. Figures are in docs/verification.md; each run prints its own.
 */
class ExhaustiveCheckTest {

    static final boolean LARGE = "large".equals(System.getProperty("kafkasnap.check.bound"));

    /**
     * The bound: 3 app messages, both snapshots (and each alone on the complete graph), readouts and acks
     * answered at the end of the step that asked for them.
     */
    static Stream<SimScenario> scenarios() {
        SimScenario complete = SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 3, "a", "b");
        return Stream.of(
                        SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 3, "a", "b"),
                        SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 3, "a", "b"),
                        complete.withSnapshots(complete.snapshots().subList(0, 1)),
                        complete.withSnapshots(complete.snapshots().subList(1, 2)),
                        SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 3, "a", "b"),
                        // The source must be an initiator: nothing reaches it, so it records only on a trigger.
                        SimScenario.twoSnapshots(SimTopology.dagOf4(), 3, "src", "w1"))
                .map(scenario -> scenario.withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP));
    }

    /** Readouts as steps of their own, interleaved every way with everything else (about 3 times the states). */
    static Stream<SimScenario> readoutsInterleaved() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 3, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 3, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.dagOf4(), 3, "src", "w1"));
    }

    /** A runtime that answers inside the Controller calls: this is what found the re-entrancy bug. */
    static Stream<SimScenario> answersInsideTheCalls() {
        return Stream.of(SimTopology.twoNodesBothWays(), SimTopology.directedRingOf3())
                .map(topology -> SimScenario.twoSnapshots(topology, 3, "a", "b")
                        .withCallbacks(Callback.INSIDE_CALL, Callback.INSIDE_CALL));
    }

    /** Acks as steps of their own too. */
    static Stream<SimScenario> acksInterleaved() {
        return Stream.of(SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 3, "a", "b")
                .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP));
    }

    /**
     * Aligned capture: every process waits for its markers before recording, holding each channel whose marker came,
     * and a CaptureNow (the runtime's timeout or lag rule) may end the wait at any step. Smaller bounds: every
     * moment of capture is a branch of its own.
     */
    static Stream<SimScenario> aligned() {
        SimScenario complete = SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b");
        return Stream.of(
                        SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b"),
                        SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 2, "a", "b"),
                        // Both snapshots on the complete graph take minutes (1.7 million states): -Pexhaustive.
                        complete.withSnapshots(complete.snapshots().subList(1, 2)),
                        SimScenario.twoSnapshots(SimTopology.dagOf4(), 1, "src", "w1"))
                .map(scenario -> scenario.withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP).aligned());
    }

    /** Only under {@code -Pexhaustive}: 4 app messages, and readouts or acks as steps of their own on 3 nodes. */
    static Stream<SimScenario> larger() {
        if (!LARGE) {
            return Stream.empty();
        }
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP).aligned(),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 4, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 4, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.dagOf4(), 4, "src", "w1")
                        .withCallbacks(Callback.OWN_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 3, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 3, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.END_OF_STEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"scenarios", "readoutsInterleaved", "answersInsideTheCalls", "acksInterleaved", "aligned",
            "larger"})
    void everyInterleavingGivesConsistentSnapshotsThatComplete(SimScenario scenario) throws IOException {
        CheckResult result = ExhaustiveChecker.check(scenario);

        String line = result.summary() + "  [" + scenario + "]";
        System.out.println(line);
        // Also kept in a file, since surefire sends test output to files: target/verification-figures.txt.
        Files.writeString(Path.of("target", "verification-figures.txt"), line + System.lineSeparator(),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        assertThat(result.counterexample()).as(() -> result.counterexample().map(Counterexample::trace).orElse(""))
                .isEmpty();
        assertThat(result.executions()).isPositive();
    }
}
