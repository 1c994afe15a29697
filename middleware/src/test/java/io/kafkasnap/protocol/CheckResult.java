package io.kafkasnap.protocol;

import java.util.Optional;

/**
 * The outcome of an exhaustive check.
 *
 * @param states         distinct states explored
 * @param transitions    steps taken, including those into states already explored
 * @param terminalStates distinct states where nothing can happen any more
 * @param executions     maximal executions (complete interleavings) the explored states stand for; -1 if a
 *                       counterexample stopped the search, {@link Long#MAX_VALUE} if more than that
 */
record CheckResult(SimScenario scenario, long states, long transitions, long terminalStates, long executions,
                   long millis, Optional<Counterexample> counterexample) {

    String summary() {
        return String.format("%-22s %,12d states %,13d transitions %,9d terminal states %,22d executions %,8d ms",
                scenario.topology().name(), states, transitions, terminalStates, executions, millis);
    }
}
