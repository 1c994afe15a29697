package io.kafkasnap.protocol;

/**
 * A way to break the harness around the real core, to show that the checks can fail. {@link #NONE} is the
 * faithful harness. Each hook gets the faithful piece and returns it or a decorator around it.
 */
interface Mutation {

    Mutation NONE = new Mutation() {
        @Override
        public String toString() {
            return "none";
        }
    };

    default Controller controller(String process, Controller faithful) {
        return faithful;
    }

    default ProtocolInputs inputs(String process, ProtocolInputs faithful, Controller controller) {
        return faithful;
    }

    default Outbox outbox(String process, Outbox faithful) {
        return faithful;
    }

    /**
     * Whether the variant keeps what the stubborn-set reduction assumes of the faithful harness and the real core:
     * every outbox appends what it is given at once (a marker reaches a channel only at its sender's capture), and
     * a process's steps on different channels that do not capture commute ({@code IndependenceHoldsTest} checks
     * that of the real core). A variant that breaks either is checked with the per-process reduction instead.
     */
    default boolean meetsStubbornSetAssumptions() {
        return true;
    }
}
