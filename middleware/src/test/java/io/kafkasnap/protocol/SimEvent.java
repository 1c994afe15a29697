package io.kafkasnap.protocol;

/**
 * One step of the simulated world. Events name processes, channels and snapshots rather than indices, so a path
 * of events replays to the same state in a fresh world: that is how the checker backtracks, since the core's
 * {@link SnapshotProtocol} cannot be copied.
 */
sealed interface SimEvent {

    /** The process whose state the step changes; the checker re-checks its bookkeeping after the step. */
    String process();

    /** The first step under a split budget: how many app messages go on each channel (see SimScenario.Budget). */
    record SplitBudget(java.util.Map<String, Integer> sends) implements SimEvent {
        public SplitBudget {
            sends = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(sends));
        }

        @Override
        public String process() {
            return "";
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("the app messages are split:");
            sends.forEach((channel, count) -> text.append(' ').append(count).append(" on ").append(channel).append(','));
            text.setLength(text.length() - 1);
            return text.toString();
        }
    }

    /** {@code process} sends one token on {@code channel}. */
    record Send(String process, String channel) implements SimEvent {
        @Override
        public String toString() {
            return process + " sends 1 token on " + channel;
        }
    }

    /** The next planned trigger is written to the control topic. */
    record IssueTrigger(long snapshot) implements SimEvent {
        @Override
        public String process() {
            return "";
        }

        @Override
        public String toString() {
            return "the trigger of S" + snapshot + " is written to the control topic";
        }
    }

    /** {@code process} reads the trigger of {@code snapshot} from the control topic. */
    record Trigger(String process, long snapshot) implements SimEvent {
        @Override
        public String toString() {
            return process + " reads the trigger of S" + snapshot;
        }
    }

    /** The receiver of {@code channel} processes the channel's next record. */
    record Deliver(String process, String channel) implements SimEvent {
        @Override
        public String toString() {
            return process + " consumes the next record of " + channel;
        }
    }

    /** The asynchronous readout of {@code process}'s captured state for {@code snapshot} finishes. */
    record ReadOut(String process, long snapshot) implements SimEvent {
        @Override
        public String toString() {
            return process + " finishes reading out its state for S" + snapshot;
        }
    }

    /** The log acknowledges {@code process}'s marker of {@code snapshot} on {@code channel}. */
    record Ack(String process, long snapshot, String channel) implements SimEvent {
        @Override
        public String toString() {
            return process + " gets the ack of its S" + snapshot + " marker on " + channel;
        }
    }

    /** The runtime stops {@code process}'s wait for the markers of {@code snapshot} (a timeout, the lag rule). */
    record CaptureNow(String process, long snapshot) implements SimEvent {
        @Override
        public String toString() {
            return process + " stops waiting for the markers of S" + snapshot + " and captures now";
        }
    }
}
