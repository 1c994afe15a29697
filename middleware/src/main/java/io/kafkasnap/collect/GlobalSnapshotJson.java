package io.kafkasnap.collect;

import io.kafkasnap.format.Fields;
import io.kafkasnap.format.FragmentJson;
import io.kafkasnap.format.Json;
import io.kafkasnap.format.Timeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The assembled-snapshot wire format (DESIGN.md, "Assembled global snapshot"). */
final class GlobalSnapshotJson {

    private static final String DOCUMENT = "global snapshot";

    private GlobalSnapshotJson() {
    }

    static String write(GlobalSnapshot snapshot, boolean pretty) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("v", snapshot.v());
        root.put("snapshot", snapshot.snapshot());
        root.put("status", snapshot.status().wire());
        if (snapshot.reason() != null) {
            root.put("reason", snapshot.reason());
            root.put("detail", snapshot.detail());
        }
        root.put("triggeredAt", snapshot.triggeredAt());
        root.put("completedAt", snapshot.completedAt());
        ArrayNode members = root.putArray("members");
        snapshot.members().forEach(members::add);
        ObjectNode processes = root.putObject("processes");
        snapshot.processes().forEach((name, process) -> {
            ObjectNode node = processes.putObject(name);
            ObjectNode state = node.putObject("state");
            process.state().forEach(state::set);
            node.put("recordedAt", process.recordedAt());
            Timeline.writeTo(node, process.timeline());
        });
        ObjectNode channels = root.putObject("channels");
        snapshot.channels().forEach((topic, channel) -> {
            ObjectNode node = channels.putObject(topic);
            if (channel.from() == null) {
                node.putNull("from");
            } else {
                node.put("from", channel.from());
            }
            node.put("to", channel.to());
            node.put("recordedFrom", channel.recordedFrom());
            node.put("markerOffset", channel.markerOffset());
            FragmentJson.writeMessages(node.putArray("messages"), channel.messages());
        });
        ObjectNode consistency = root.putObject("consistency");
        consistency.put("checked", snapshot.consistency().checked());
        ArrayNode violations = consistency.putArray("violations");
        for (Violation violation : snapshot.consistency().violations()) {
            violations.addObject()
                    .put("rule", violation.rule())
                    .put("channel", violation.channel())
                    .put("message", violation.message());
        }
        return Json.text(root, pretty);
    }

    static GlobalSnapshot read(byte[] json) {
        Fields root = Fields.root(DOCUMENT, json);
        int v = root.version(GlobalSnapshot.VERSION);
        long snapshot = root.nonNegative("snapshot");
        GlobalSnapshot.Status status;
        try {
            status = GlobalSnapshot.Status.fromWire(root.text("status"));
        } catch (IllegalArgumentException e) {
            throw root.problem(e.getMessage());
        }
        String reason = root.optionalText("reason");
        String detail = root.optionalText("detail");
        long triggeredAt = root.integer("triggeredAt");
        long completedAt = root.integer("completedAt");
        List<String> members = root.strings("members");

        Map<String, GlobalSnapshot.ProcessState> processes = new LinkedHashMap<>();
        Fields processFields = root.object("processes");
        for (Iterator<Map.Entry<String, JsonNode>> it = processFields.entries(); it.hasNext(); ) {
            String name = it.next().getKey();
            Fields process = processFields.entry(name);
            Map<String, JsonNode> state = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> s = process.object("state").entries(); s.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = s.next();
                state.put(entry.getKey(), entry.getValue());
            }
            processes.put(name, new GlobalSnapshot.ProcessState(state, process.integer("recordedAt"),
                    Timeline.read(process)));
        }

        Map<String, GlobalSnapshot.ChannelState> channels = new LinkedHashMap<>();
        Fields channelFields = root.object("channels");
        for (Iterator<Map.Entry<String, JsonNode>> it = channelFields.entries(); it.hasNext(); ) {
            String topic = it.next().getKey();
            Fields channel = channelFields.entry(topic);
            channels.put(topic, new GlobalSnapshot.ChannelState(channel.textOrNull("from"), channel.text("to"),
                    channel.nonNegative("recordedFrom"), channel.nonNegative("markerOffset"),
                    FragmentJson.readMessages(channel)));
        }

        Fields consistencyFields = root.object("consistency");
        List<Violation> violations = new ArrayList<>();
        for (Fields violation : consistencyFields.objects("violations")) {
            long rule = violation.integer("rule");
            if (rule < 1 || rule > 3) {
                throw violation.problem("\"rule\" must be 1, 2 or 3, got " + rule);
            }
            violations.add(new Violation((int) rule, violation.text("channel"), violation.text("message")));
        }
        GlobalSnapshot.Consistency consistency =
                new GlobalSnapshot.Consistency(consistencyFields.bool("checked"), violations);
        return new GlobalSnapshot(v, snapshot, status, reason, detail, triggeredAt, completedAt, members, processes,
                channels, consistency);
    }
}
