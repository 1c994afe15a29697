package io.kafkasnap.protocol;

import java.util.List;

/**
 * A path of steps that breaks a rule, with the violation and a numbered trace a person can follow: each step,
 * then indented what the core asked the harness to do and what landed in which log.
 */
record Counterexample(SimScenario scenario, List<SimEvent> path, String violation, String trace) {

    static Counterexample of(SimScenario scenario, List<SimEvent> path, String violation) {
        SimWorld replayed = SimWorld.replay(scenario, List.copyOf(path), true);
        StringBuilder trace = new StringBuilder("Counterexample in ").append(scenario).append('\n');
        int step = 0;
        for (String line : replayed.narration()) {
            if (line.startsWith(" ")) {
                trace.append("      ").append(line.strip()).append('\n');
            } else {
                trace.append(String.format("%4d. %s%n", ++step, line));
            }
        }
        trace.append("  => ").append(violation).append('\n');
        return new Counterexample(scenario, List.copyOf(path), violation, trace.toString());
    }

    @Override
    public String toString() {
        return trace;
    }
}
