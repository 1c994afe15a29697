package io.kafkasnap.protocol;

import java.util.List;

/** A record in a simulated channel log: an app message carrying tokens, or a marker. */
sealed interface LogEntry {

    /**
     * @param sentAfterRecording the snapshots whose state the sender had already recorded when it sent this;
     *                           ground truth for the orphan and marker-placement checks, which the core never sees
     */
    record App(int tokens, List<Long> sentAfterRecording) implements LogEntry {
        public App {
            sentAfterRecording = List.copyOf(sentAfterRecording);
        }

        @Override
        public String toString() {
            return "app(" + tokens + " token" + (tokens == 1 ? "" : "s") + ")";
        }
    }

    record Marker(long snapshot) implements LogEntry {
        @Override
        public String toString() {
            return "marker S" + snapshot;
        }
    }
}
