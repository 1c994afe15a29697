package io.kafkasnap.protocol;

import java.util.Optional;
import java.util.Set;

/**
 * The outcome of an exhaustive check.
 *
 * @param reduction      whether every enabled step was explored, or which reduced set of them
 * @param states         distinct states explored
 * @param transitions    steps taken, including those into states already explored
 * @param terminalStates distinct states where nothing can happen any more
 * @param executions     maximal executions (complete interleavings) the explored states stand for; -1 if a
 *                       counterexample stopped the search, {@link Long#MAX_VALUE} if more than that; with
 *                       the reduction, the maximal paths of the reduced graph (each stands for a class of
 *                       executions that differ only in the order of independent steps)
 * @param finalStates    fingerprints, without the spent budget, of the states where nothing can happen any more
 * @param splitsExplored how many splits of the budget were explored (the figures above are theirs), of
 * @param splits         how many there are; the others are mirror images of explored ones ({@link Symmetry})
 */
record CheckResult(SimScenario scenario, ExhaustiveChecker.Reduction reduction, long states, long transitions,
                   long terminalStates, long executions, long millis, Optional<Counterexample> counterexample,
                   Set<Long> finalStates, int splitsExplored, int splits) {

    String summary() {
        String how = switch (reduction) {
            case NONE -> "full";
            case PERSISTENT_SETS -> "persistent";
            case STUBBORN_SETS -> "stubborn";
        };
        String explored = splitsExplored < splits ? String.format(" (%d of %d splits, the rest mirror images)",
                splitsExplored, splits) : "";
        return String.format("%-22s %-10s %,12d states %,13d transitions %,9d terminal states %,22d executions %,8d ms%s",
                scenario.topology().name(), how, states, transitions, terminalStates, executions, millis, explored);
    }
}
