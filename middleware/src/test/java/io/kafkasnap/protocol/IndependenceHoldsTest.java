package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stubborn-set reduction ({@link StubbornSets}) rests on claims about the real core and the harness; this test
 * checks each of them, one step at a time, in every state reachable on small bounds (the full graph, no reduction):
 * <ul>
 *   <li>two enabled steps it calls independent commute: both orders are possible and end in the same state;</li>
 *   <li>a label that a step enables was among that label's enablers (its necessary enabling set) before the step;</li>
 *   <li>the labels of a process that may yet capture never grow, nor do a disabled label's enablers.</li>
 * </ul>
 * Together with the enabled labels of a set staying enabled (which the first claim covers), these are what the
 * reduction's soundness argument in docs/verification.md uses.
 */
class IndependenceHoldsTest {

    static Stream<SimScenario> small() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.OWN_STEP),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 2, "a", "b")
                        .withCallbacks(Callback.INSIDE_CALL, Callback.INSIDE_CALL),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 2, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.dagOf4(), 1, "src", "w1")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP)
                        .withSnapshots(List.of(SnapshotPlan.broadcast(2))),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b").aligned(),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP).aligned());
    }

    /** Only under {@code -Pexhaustive}: the complete graph with both snapshots, and acks and readouts as steps. */
    static Stream<SimScenario> larger() {
        if (!ExhaustiveCheckTest.LARGE) {
            return Stream.empty();
        }
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), 1, "a", "b")
                        .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP),
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), 1, "a", "b")
                        .withCallbacks(Callback.OWN_STEP, Callback.OWN_STEP));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"small", "larger"})
    void theReductionsClaimsHoldInEveryReachableState(SimScenario scenario) {
        Walk walk = walk(scenario);

        System.out.printf("%,d states, %,d pairs of independent steps commute  [%s]%n", walk.states, walk.pairs,
                scenario);
        assertThat(walk.broken).as("claims of the stubborn-set reduction broken in %s", scenario).isEmpty();
        assertThat(walk.pairs).isPositive();
    }

    /** The check can fail: a core that keeps records with bookkeeping shared across channels is caught. */
    @Test
    void stepsOnDifferentChannelsThatDoNotCommuteAreCaught() {
        SimScenario scenario = SimScenario.twoSnapshots(SimTopology.dagOf4(), 2, "src", "w1")
                .withCallbacks(Callback.END_OF_STEP, Callback.END_OF_STEP)
                .withSnapshots(List.of(SnapshotPlan.broadcast(2)))
                .with(BrokenVariants.keptRecordDroppedAfterAChannelSwitch());

        Walk walk = walk(scenario);

        System.out.println(walk.broken.isEmpty() ? "nothing found" : walk.broken.get(0));
        assertThat(walk.broken).anyMatch(found -> found.contains("do not commute"));
    }

    /** What a walk over every reachable state found; it stops at the first state where a claim is broken. */
    private static final class Walk {
        final List<String> broken = new ArrayList<>();
        long states;
        long pairs;
    }

    /** A state to visit and the path to it, which is how a broken variant's world (not copied) is rebuilt. */
    private record Visit(SimWorld world, List<SimEvent> path) {
    }

    private static Walk walk(SimScenario scenario) {
        Walk walk = new Walk();
        Set<Long> seen = new HashSet<>();
        Deque<Visit> todo = new ArrayDeque<>(List.of(new Visit(new SimWorld(scenario, false), List.of())));
        while (!todo.isEmpty() && walk.broken.isEmpty()) {
            Visit visit = todo.pop();
            SimWorld world = visit.world();
            if (!seen.add(world.fingerprint())) {
                continue;
            }
            walk.states++;
            List<SimEvent> enabled = world.enabled();
            if (!enabled.isEmpty() && enabled.get(0) instanceof SimEvent.SplitBudget) {
                enabled.forEach(split -> todo.push(after(visit, split)));
                continue;
            }
            StubbornSets sets = new StubbornSets(world);
            Map<StubbornSets.Label, List<StubbornSets.Label>> enablers = new HashMap<>();
            Set<StubbornSets.Label> enabledLabels = new HashSet<>();
            enabled.forEach(event -> enabledLabels.add(StubbornSets.label(event)));
            for (StubbornSets.Label label : sets.allLabels()) {
                if (!enabledLabels.contains(label)) {
                    enablers.put(label, sets.enablers(label));
                }
            }
            Map<String, Set<StubbornSets.Label>> mayCapture = new HashMap<>();
            scenario.topology().processes().forEach(p -> mayCapture.put(p, Set.copyOf(sets.mayCapture(p))));

            for (SimEvent event : enabled) {
                Visit next = after(visit, event);
                StubbornSets nextSets = new StubbornSets(next.world());
                Set<StubbornSets.Label> enabledNext = new HashSet<>();
                next.world().enabled().forEach(now -> enabledNext.add(StubbornSets.label(now)));
                for (StubbornSets.Label label : enabledNext) {
                    if (!enabledLabels.contains(label) && !enablers.get(label).contains(StubbornSets.label(event))) {
                        walk.broken.add("'" + event + "' enabled " + label + ", whose enablers were "
                                + enablers.get(label));
                    }
                }
                enablers.forEach((label, before) -> {
                    if (!enabledNext.contains(label) && !before.containsAll(nextSets.enablers(label))) {
                        walk.broken.add("'" + event + "' gave " + label + " the enablers " + nextSets.enablers(label)
                                + ", more than " + before);
                    }
                });
                for (String process : scenario.topology().processes()) {
                    if (!mayCapture.get(process).containsAll(nextSets.mayCapture(process))) {
                        walk.broken.add("'" + event + "' made " + process + " able to capture by "
                                + nextSets.mayCapture(process) + ", more than " + mayCapture.get(process));
                    }
                }
                todo.push(next);
            }
            for (int i = 0; i < enabled.size(); i++) {
                for (int j = i + 1; j < enabled.size(); j++) {
                    SimEvent a = enabled.get(i);
                    SimEvent b = enabled.get(j);
                    if (sets.independent(a, b)) {
                        walk.pairs++;
                        commute(visit, a, b).ifPresent(walk.broken::add);
                    }
                }
            }
        }
        return walk;
    }

    private static Optional<String> commute(Visit visit, SimEvent a, SimEvent b) {
        SimWorld ab = after(visit, a).world();
        SimWorld ba = after(visit, b).world();
        if (!ab.enabled().contains(b) || !ba.enabled().contains(a)) {
            return Optional.of("'" + a + "' and '" + b + "' are called independent, but one disables the other");
        }
        ab.apply(b);
        ba.apply(a);
        if (ab.fingerprint() != ba.fingerprint() || !ab.violation().equals(ba.violation())) {
            return Optional.of("'" + a + "' and '" + b + "' are called independent but do not commute");
        }
        return Optional.empty();
    }

    private static Visit after(Visit visit, SimEvent event) {
        List<SimEvent> path = new ArrayList<>(visit.path());
        path.add(event);
        SimScenario scenario = visit.world().scenario();
        if (scenario.mutation() != Mutation.NONE) {
            return new Visit(SimWorld.replay(scenario, path, false), path);
        }
        SimWorld next = visit.world().copy();
        next.apply(event);
        return new Visit(next, path);
    }
}
