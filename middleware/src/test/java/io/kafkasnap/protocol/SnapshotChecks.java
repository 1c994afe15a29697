package io.kafkasnap.protocol;

import io.kafkasnap.protocol.LocalSnapshot.ChannelCut;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks of one snapshot that every member completed: rules 1–3 of the design, marker placement, no orphan,
 * and conservation of tokens. They compare the fragments and the records the harness saw kept against the
 * channel logs, which are the ground truth the core never sees whole.
 */
final class SnapshotChecks {

    private SnapshotChecks() {
    }

    /** Every violation found, each a sentence naming the snapshot and the channel. */
    static List<String> check(long snapshot, SimTopology topology, Map<String, Observed> byProcess,
                              Map<String, List<LogEntry>> logs, int totalTokens) {
        List<String> violations = new ArrayList<>();
        int recordedTokens = 0;
        for (String process : topology.processes()) {
            recordedTokens += byProcess.get(process).capturedTokens;
        }
        for (SimTopology.Channel channel : topology.channels()) {
            String name = channel.name();
            Observed sender = byProcess.get(channel.from());
            Observed receiver = byProcess.get(channel.to());
            List<LogEntry> log = logs.get(name);
            Long markerSentAt = sender.fragment.out().get(name);
            ChannelCut cut = receiver.fragment.in().get(name);
            String where = "S" + snapshot + " on " + name + ": ";
            if (markerSentAt == null || cut == null) {
                violations.add(where + "a fragment does not name the channel (out " + markerSentAt + ", in " + cut + ")");
                continue;
            }
            if (cut.markerOffset() < 0 || cut.markerOffset() >= log.size()) {
                violations.add(where + "rule 1: the receiver names offset " + cut.markerOffset() + ", which the log"
                        + " does not have");
                continue;
            }
            if (markerSentAt != cut.markerOffset()) {
                violations.add(where + "rule 1: the sender's marker is at " + markerSentAt + " but the receiver's at "
                        + cut.markerOffset());
            }
            if (!(log.get((int) cut.markerOffset()) instanceof LogEntry.Marker marker && marker.snapshot() == snapshot)) {
                violations.add(where + "rule 1: offset " + cut.markerOffset() + " holds " + log.get((int) cut.markerOffset())
                        + ", not the marker of S" + snapshot);
            }
            long consumedAtCapture = receiver.positionsAtCapture.get(name);
            // A channel whose marker came before the capture (an aligned one) is empty: recorded from its marker.
            long expectedFrom = Math.min(consumedAtCapture, cut.markerOffset());
            if (cut.recordedFrom() != expectedFrom || cut.recordedFrom() > cut.markerOffset()) {
                violations.add(where + "rule 2: recordedFrom is " + cut.recordedFrom() + " but the receiver had consumed up"
                        + " to " + consumedAtCapture + " when it captured its state (marker at " + cut.markerOffset() + ")");
            }
            List<Long> expected = new ArrayList<>();
            for (long offset = cut.recordedFrom(); offset < cut.markerOffset(); offset++) {
                if (log.get((int) offset) instanceof LogEntry.App) {
                    expected.add(offset);
                }
            }
            List<Long> kept = receiver.kept(name);
            if (!kept.equals(expected)) {
                violations.add(where + "rule 3: kept records at offsets " + kept + " but the app records in ["
                        + cut.recordedFrom() + ", " + cut.markerOffset() + ") are at " + expected);
            }
            for (int offset = 0; offset < log.size(); offset++) {
                if (!(log.get(offset) instanceof LogEntry.App app)) {
                    continue;
                }
                boolean sentAfterRecording = app.sentAfterRecording().contains(snapshot);
                if (offset < cut.markerOffset() && sentAfterRecording) {
                    violations.add(where + "marker placement: the app record at " + offset + " was sent after "
                            + channel.from() + " recorded its state, yet it is before the marker at " + cut.markerOffset());
                }
                if (offset > cut.markerOffset() && !sentAfterRecording) {
                    violations.add(where + "marker placement: the app record at " + offset + " was sent before "
                            + channel.from() + " recorded its state, yet it is after the marker at " + cut.markerOffset());
                }
                if (offset < consumedAtCapture && sentAfterRecording) {
                    violations.add(where + "orphan: " + channel.to() + "'s recorded state reflects the app record at "
                            + offset + ", which " + channel.from() + " sent after recording its state");
                }
            }
            for (long offset : kept) {
                if (offset < log.size() && log.get((int) offset) instanceof LogEntry.App app) {
                    recordedTokens += app.tokens();
                }
            }
        }
        if (recordedTokens != totalTokens) {
            violations.add("S" + snapshot + ": conservation: the recorded states and channels hold " + recordedTokens
                    + " tokens, but there are " + totalTokens);
        }
        return violations;
    }
}
