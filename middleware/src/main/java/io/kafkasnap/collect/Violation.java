package io.kafkasnap.collect;

/**
 * One broken consistency rule (DESIGN.md, "What makes a snapshot correct").
 *
 * @param rule 1, 2 or 3
 * @param channel the channel topic concerned
 * @param message what is wrong, for a person
 */
public record Violation(int rule, String channel, String message) {

    public Violation {
        if (rule < 1 || rule > 3) {
            throw new IllegalArgumentException("rule must be 1, 2 or 3, was " + rule);
        }
    }

    @Override
    public String toString() {
        return "rule " + rule + " on " + channel + ": " + message;
    }
}
