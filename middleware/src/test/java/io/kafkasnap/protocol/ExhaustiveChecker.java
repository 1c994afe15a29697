package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Explores every interleaving of a {@link SimScenario}'s steps, depth first, on the real core.
 *
 * <p>Equal states are explored once: the state graph is acyclic (every step spends budget or consumes a record
 * or a pending callback), so the number of maximal executions below a state is computed once and reused, which
 * is how the executions covered can be counted without walking each one. Going
 * back to try a sibling step starts from a copy made with {@link CoreInternals}, or, for a broken variant
 * whose decorators hold state, from a replay of the path.
 *
 * <p>With a reduction only some of the enabled steps are explored from each state: a per-process persistent set
 * ({@link PersistentSets}) or a stubborn set ({@link StubbornSets}). Every state where nothing can happen
 * any more is still reached, by an execution equivalent to each one that reaches it up to the order of
 * independent steps. Why, and why every check survives it, is in docs/verification.md.
 */
final class ExhaustiveChecker {

    /** Every enabled step, a per-process persistent set of them, or a stubborn set (finer, the default). */
    enum Reduction { NONE, PERSISTENT_SETS, STUBBORN_SETS }

    private final SimScenario scenario;
    private final Reduction reduction;
    private final Set<Long> finalStates = new HashSet<>();
    private Map<Long, Long> executionsFrom = new HashMap<>();
    private final Set<Long> onPath = new HashSet<>();
    private final List<SimEvent> path = new ArrayList<>();
    private final AtomicBoolean stop;
    private long transitions;
    private long terminalStates;
    private long statesSeen;

    private ExhaustiveChecker(SimScenario scenario, Reduction reduction, AtomicBoolean stop) {
        this.scenario = scenario;
        this.reduction = reduction;
        this.stop = stop;
    }

    /**
     * With a split budget, reduced: by stubborn sets where their assumptions hold (the faithful harness and the
     * broken variants that keep them, see {@link Mutation#meetsStubbornSetAssumptions()}), else by per-process
     * persistent sets. With a shared budget, in full.
     */
    static CheckResult check(SimScenario scenario) {
        if (scenario.budget() != SimScenario.Budget.SPLIT) {
            return check(scenario, Reduction.NONE);
        }
        Reduction reduction = scenario.mutation().meetsStubbornSetAssumptions() ? Reduction.STUBBORN_SETS
                : Reduction.PERSISTENT_SETS;
        return check(scenario, reduction, scenario.mutation() == Mutation.NONE ? Splits.ONE_PER_MIRROR_IMAGE
                : Splits.ALL);
    }

    /** Which splits of the budget to explore: every one, or one of each set of mirror images ({@link Symmetry}). */
    enum Splits { ALL, ONE_PER_MIRROR_IMAGE }

    static CheckResult check(SimScenario scenario, Reduction reduction) {
        return check(scenario, reduction, Splits.ALL);
    }

    /** Only the states below one split of the budget. */
    static CheckResult checkSplit(SimScenario scenario, Reduction reduction, SimEvent.SplitBudget split) {
        return check(scenario, reduction, List.of(split), System.nanoTime());
    }

    /**
     * Under a split budget the first step chooses the split, and no state below one split equals a state below
     * another (the budget left is part of the state), so the splits are explored apart, on every core at once;
     * each split's table of seen states is dropped when it is done. The first counterexample found stops all.
     */
    static CheckResult check(SimScenario scenario, Reduction reduction, Splits splits) {
        long started = System.nanoTime();
        SimWorld root = new SimWorld(scenario, false);
        List<SimEvent> first = root.enabled();
        if (first.isEmpty() || !(first.get(0) instanceof SimEvent.SplitBudget)) {
            ExhaustiveChecker checker = new ExhaustiveChecker(scenario, reduction, new AtomicBoolean());
            return checker.result(checker.run(root, List.of()), started);
        }
        return check(scenario, reduction, splits == Splits.ALL ? first : Symmetry.representatives(scenario, first),
                started);
    }

    private static CheckResult check(SimScenario scenario, Reduction reduction, List<SimEvent> first, long started) {
        int allSplits = new SimWorld(scenario, false).enabled().size();
        AtomicBoolean stop = new AtomicBoolean();
        int threads = Math.min(first.size(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "exhaustive-check");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<ExhaustiveChecker> checkers = new ArrayList<>();
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (SimEvent split : first) {
                ExhaustiveChecker checker = new ExhaustiveChecker(scenario, reduction, stop);
                checkers.add(checker);
                outcomes.add(pool.submit(() -> {
                    SimWorld world = new SimWorld(scenario, false);
                    world.apply(split);
                    return checker.run(world, List.of(split));
                }));
            }
            long states = 1;
            long transitions = first.size();
            long terminal = 0;
            long executions = 0;
            Set<Long> finals = new HashSet<>();
            Optional<Counterexample> counterexample = Optional.empty();
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome outcome = outcomes.get(i).get();
                ExhaustiveChecker checker = checkers.get(i);
                states += checker.statesSeen;
                transitions += checker.transitions;
                terminal += checker.terminalStates;
                executions = saturatedAdd(executions, outcome.executions());
                finals.addAll(checker.finalStates);
                if (counterexample.isEmpty()) {
                    counterexample = outcome.counterexample();
                }
            }
            return new CheckResult(scenario, reduction, states, transitions, terminal,
                    counterexample.isPresent() ? -1 : executions, (System.nanoTime() - started) / 1_000_000,
                    counterexample, Set.copyOf(finals), first.size(), allSplits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + scenario, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("checking " + scenario + " failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** What one search below a prefix found: the executions it covers, or a counterexample. */
    private record Outcome(long executions, Optional<Counterexample> counterexample) {
    }

    private Outcome run(SimWorld world, List<SimEvent> prefix) {
        path.addAll(prefix);
        try {
            return new Outcome(explore(world), Optional.empty());
        } catch (Found found) {
            stop.set(true);
            return new Outcome(-1, Optional.of(found.counterexample));
        } catch (Stopped stopped) {
            return new Outcome(-1, Optional.empty());
        } finally {
            executionsFrom = new HashMap<>(); // the table is the memory: let it go while other splits run
            onPath.clear();
        }
    }

    private CheckResult result(Outcome outcome, long started) {
        return new CheckResult(scenario, reduction, statesSeen, transitions, terminalStates, outcome.executions(),
                (System.nanoTime() - started) / 1_000_000, outcome.counterexample(), Set.copyOf(finalStates), 0, 0);
    }

    private long explore(SimWorld world) {
        if (stop.get()) {
            throw new Stopped();
        }
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
        statesSeen++;
        if (!onPath.add(fingerprint)) {
            throw new IllegalStateException("a cycle in the state graph at step " + path.size() + ": " + path);
        }
        List<SimEvent> events = switch (reduction) {
            case NONE -> world.enabled();
            case PERSISTENT_SETS -> world.persistentSet();
            case STUBBORN_SETS -> world.stubbornSet();
        };
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

    /** Unwinds a search when another one found a counterexample. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("another split found a counterexample", null, false, false);
        }
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
