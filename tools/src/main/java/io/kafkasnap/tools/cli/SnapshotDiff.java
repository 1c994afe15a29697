package io.kafkasnap.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What changed from one snapshot to another: per process the state keys, per channel the in-flight counts. */
final class SnapshotDiff {

    private SnapshotDiff() {
    }

    static List<String> lines(SnapshotView a, SnapshotView b) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("snapshot %d (%s, %d in flight) -> snapshot %d (%s, %d in flight)", a.id(), a.status(),
                a.inFlightCount(), b.id(), b.status(), b.inFlightCount()));
        Map<String, JsonNode> before = a.states();
        Map<String, JsonNode> after = b.states();
        TreeSet<String> processes = new TreeSet<>(before.keySet());
        processes.addAll(after.keySet());
        for (String process : processes) {
            if (!before.containsKey(process)) {
                lines.add(String.format("  %-20s only in %d", process, b.id()));
                continue;
            }
            if (!after.containsKey(process)) {
                lines.add(String.format("  %-20s only in %d", process, a.id()));
                continue;
            }
            JsonNode old = before.get(process);
            JsonNode now = after.get(process);
            TreeSet<String> keys = new TreeSet<>();
            old.fieldNames().forEachRemaining(keys::add);
            now.fieldNames().forEachRemaining(keys::add);
            List<String> changes = new ArrayList<>();
            for (String key : keys) {
                JsonNode x = old.has(key) ? old.get(key) : MissingNode.getInstance();
                JsonNode y = now.has(key) ? now.get(key) : MissingNode.getInstance();
                if (!x.equals(y)) {
                    changes.add(key + ": " + text(x) + " -> " + text(y));
                }
            }
            if (changes.isEmpty()) {
                lines.add(String.format("  %-20s unchanged", process));
            } else {
                lines.add(String.format("  %-20s %s", process, changes.get(0)));
                changes.subList(1, changes.size()).forEach(c -> lines.add(String.format("  %-20s %s", "", c)));
            }
        }
        Map<String, List<JsonNode>> inA = a.channelMessages();
        Map<String, List<JsonNode>> inB = b.channelMessages();
        TreeSet<String> channels = new TreeSet<>(inA.keySet());
        channels.addAll(inB.keySet());
        for (String channel : channels) {
            lines.add(String.format("  %-20s in flight %s -> %s", channel, count(inA, channel), count(inB, channel)));
        }
        return lines;
    }

    private static String count(Map<String, List<JsonNode>> channels, String channel) {
        List<JsonNode> messages = channels.get(channel);
        return messages == null ? "-" : Integer.toString(messages.size());
    }

    private static String text(JsonNode value) {
        return value.isMissingNode() ? "(absent)" : value.toString();
    }
}
