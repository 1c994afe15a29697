package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Explores every interleaving of a {@link SimScenario}'s steps, depth first, on the real core.
 *
 * <p>Equal states are explored once: the state graph is acyclic (every step spends budget or consumes a record
 * or a pending callback), so the number of maximal executions below a state is computed once and reused, which
 * is how the executions covered can be counted without walking each one. Going
 * back to try a sibling step starts from a copy made with {@link CoreInternals}, or, for a broken variant
 * whose decorators hold state, from a replay of the path.
 *
 * <p>With {@link Reduction#PERSISTENT_SETS} only a persistent set of the enabled steps is explored from each
 * state ({@link SimWorld#persistentSet()}): every state where nothing can happen any more is still reached, by
 * an execution equivalent to each one that reaches it up to the order of independent steps. Why every check
 * survives that is in docs/verification.md, "Partial-order reduction".
 */
final class ExhaustiveChecker {

    /** Whether to explore every enabled step or a persistent set of them. */
    enum Reduction { NONE, PERSISTENT_SETS }

    private final SimScenario scenario;
    private final Reduction reduction;
    private final Set<Long> finalStates = new HashSet<>();
    private final Map<Long, Long> executionsFrom = new HashMap<>();
    private final Set<Long> onPath = new HashSet<>();
    private final List<SimEvent> path = new ArrayList<>();
    private long transitions;
    private long terminalStates;

    private ExhaustiveChecker(SimScenario scenario, Reduction reduction) {
        this.scenario = scenario;
        this.reduction = reduction;
    }

    /** Reduced when the scenario splits its budget (sends of different processes then commute), else not. */
    static CheckResult check(SimScenario scenario) {
        return check(scenario, scenario.budget() == SimScenario.Budget.SPLIT ? Reduction.PERSISTENT_SETS
                : Reduction.NONE);
    }

    static CheckResult check(SimScenario scenario, Reduction reduction) {
        ExhaustiveChecker checker = new ExhaustiveChecker(scenario, reduction);
        long started = System.nanoTime();
        long executions;
        Optional<Counterexample> counterexample = Optional.empty();
        try {
            executions = checker.explore(new SimWorld(scenario, false));
        } catch (Found found) {
            executions = -1;
            counterexample = Optional.of(found.counterexample);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new CheckResult(scenario, reduction, checker.executionsFrom.size(), checker.transitions,
                checker.terminalStates, executions, millis, counterexample, Set.copyOf(checker.finalStates));
    }

    private long explore(SimWorld world) {
        // Violations belong to the step that made them, so look before merging with an equal state seen before.
        Optional<String> violation = world.violation();
        if (violation.isPresent()) {
            throw new Found(Counterexample.of(scenario, path, violation.get()));
        }
        long fingerprint = world.fingerprint();
        Long known = executionsFrom.get(fingerprint);
        if (known != null) {
            return known;
        }
        if (!onPath.add(fingerprint)) {
            throw new IllegalStateException("a cycle in the state graph at step " + path.size() + ": " + path);
        }
        List<SimEvent> events = reduction == Reduction.NONE ? world.enabled() : world.persistentSet();
        long executions = 0;
        if (events.isEmpty()) {
            terminalStates++;
            finalStates.add(world.fingerprint(false));
            Optional<String> stuck = world.terminationViolation();
            if (stuck.isPresent()) {
                throw new Found(Counterexample.of(scenario, path, stuck.get()));
            }
            executions = 1;
        }
        for (int i = 0; i < events.size(); i++) {
            SimWorld next = i == events.size() - 1 ? world : branch(world);
            next.apply(events.get(i));
            transitions++;
            path.add(events.get(i));
            executions = saturatedAdd(executions, explore(next));
            path.remove(path.size() - 1);
        }
        onPath.remove(fingerprint);
        executionsFrom.put(fingerprint, executions);
        return executions;
    }

    private SimWorld branch(SimWorld world) {
        return scenario.mutation() == Mutation.NONE ? world.copy() : SimWorld.replay(scenario, path, false);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Unwinds the search at the first violation; the path is all it needs to carry. */
    private static final class Found extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Counterexample counterexample;

        Found(Counterexample counterexample) {
            super(counterexample.violation(), null, false, false);
            this.counterexample = counterexample;
        }
    }
}
