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
 * with S1 started by two initiators at once and S2 by the broadcast trigger. The default bounds keep
 * {@code ./mvnw verify} short; {@code -Pexhaustive} sets {@code kafkasnap.check.bound=large}. Figures are in
 * docs/verification.md; each run prints its own to the test output.
 */
class ExhaustiveCheckTest {

    static final boolean LARGE = "large".equals(System.getProperty("kafkasnap.check.bound"));

    /**
     * Readouts are steps of their own on the two smaller graphs; on the complete graph and the DAG they come at the
     * end of the step (interleaving them there multiplies the states about tenfold).
     */
    static Stream<SimScenario> scenarios() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), LARGE ? 3 : 2, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), LARGE ? 2 : 1, "a", "b"),
                completeGraph(),
                // The source must be an initiator: nothing reaches it, so it records only on a trigger.
                SimScenario.twoSnapshots(SimTopology.dagOf4(), LARGE ? 2 : 1, "src", "w1")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP));
    }

    /**
     * The complete graph with both snapshots and one app message is 2.5 million states (about 2.5 minutes), so
     * by default it checks only S1, the two-initiator snapshot; the exhaustive profile checks both.
     */
    private static SimScenario completeGraph() {
        SimScenario both = SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP);
        return LARGE ? both : both.withSnapshots(both.snapshots().subList(0, 1));
    }

    /** A runtime that answers inside the Controller calls: this is what found the re-entrancy bug. */
    static Stream<SimScenario> answersInsideTheCalls() {
        return Stream.of(SimTopology.twoNodesBothWays(), SimTopology.directedRingOf3())
                .map(topology -> SimScenario.twoSnapshots(topology, 1, "a", "b")
                        .withCallbacks(Callback.INSIDE_CALL, Callback.INSIDE_CALL));
    }

    /** Acks as steps of their own too: about ten times the states per app message, so a smaller bound. */
    static Stream<SimScenario> acksInterleaved() {
        return Stream.of(SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), LARGE ? 2 : 1, "a", "b")
                .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"scenarios", "answersInsideTheCalls", "acksInterleaved"})
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
