package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.protocol.ExhaustiveChecker.Reduction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Evidence for {@link Symmetry}: below a split of the budget and below its mirror image the checker explores alike.
 * On the full graph the two have the same numbers of states, transitions and terminal states; with stubborn sets
 * (whose choices among equally small sets follow the order of names, so the reduced graphs need not be images of
 * each other) the same terminal states, which is what the checks rest on.
 */
class MirrorImagesAreExploredAlikeTest {

    @Test
    void theCompleteGraphAndTwoNodesMapOntoThemselvesBySwappingTheInitiators() {
        SimScenario complete = SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b");
        SimScenario ring = SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 1, "a", "b");
        SimScenario dag = SimScenario.twoSnapshots(SimTopology.dagOf4(), 1, "src", "w1");

        assertThat(Symmetry.of(complete)).containsExactly(Map.of("a", "b", "b", "a", "c", "c"));
        assertThat(Symmetry.of(SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b")))
                .containsExactly(Map.of("a", "b", "b", "a"));
        // Rotating the ring moves the initiators; swapping the DAG's workers moves w1, an initiator.
        assertThat(Symmetry.of(ring)).isEmpty();
        assertThat(Symmetry.of(dag)).isEmpty();
    }

    @Test
    void onTheFullGraphMirrorImagesHaveTheSameNumbers() {
        for (SimScenario scenario : List.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 2, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP)
                        .withSnapshots(List.of(new SnapshotPlan(1, List.of("a", "b")))))) {
            compareMirrorImages(scenario, Reduction.NONE);
        }
    }

    @Test
    void withStubbornSetsMirrorImagesEndInAsManyStates() {
        compareMirrorImages(SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP), Reduction.STUBBORN_SETS);
    }

    private static void compareMirrorImages(SimScenario scenario, Reduction reduction) {
        Map<String, String> swap = Symmetry.of(scenario).get(0);
        int compared = 0;
        for (SimEvent event : new SimWorld(scenario, false).enabled()) {
            SimEvent.SplitBudget split = (SimEvent.SplitBudget) event;
            SimEvent.SplitBudget mirror = Symmetry.image(split, swap, scenario);
            if (mirror.equals(split)) {
                continue;
            }
            CheckResult here = ExhaustiveChecker.checkSplit(scenario, reduction, split);
            CheckResult there = ExhaustiveChecker.checkSplit(scenario, reduction, mirror);
            assertThat(here.counterexample()).isEmpty();
            assertThat(there.counterexample()).isEmpty();
            assertThat(there.terminalStates()).as("%s against %s", split, mirror).isEqualTo(here.terminalStates());
            if (reduction == Reduction.NONE) {
                assertThat(there.states()).as("%s against %s", split, mirror).isEqualTo(here.states());
                assertThat(there.transitions()).as("%s against %s", split, mirror).isEqualTo(here.transitions());
            }
            compared++;
        }
        System.out.println(compared + " splits compared with their mirror images  [" + reduction + ", " + scenario
                + "]");
        assertThat(compared).isPositive();
    }
}
