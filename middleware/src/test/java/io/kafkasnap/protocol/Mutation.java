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
     * Whether every outbox appends what it is given at once, as the faithful one does. The stubborn-set
     * reduction counts on it (a marker reaches a channel only at its sender's capture); a variant that holds
     * markers back is checked with the per-process reduction instead.
     */
    default boolean outboxAppendsAtOnce() {
        return true;
    }
}
