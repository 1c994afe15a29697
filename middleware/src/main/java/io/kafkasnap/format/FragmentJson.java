package io.kafkasnap.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fragment wire format (DESIGN.md, "Fragment"). */
public final class FragmentJson {

    private FragmentJson() {
    }

    public static byte[] write(Fragment fragment) {
        return Json.compact(tree(fragment));
    }

    public static ObjectNode tree(Fragment fragment) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("v", fragment.v());
        root.put("snapshot", fragment.snapshot());
        root.put("process", fragment.process());
        root.put("recordedAt", fragment.recordedAt());
        if (fragment.base() != null) {
            root.putObject("base").put("snapshot", fragment.base().snapshot()).put("offset", fragment.base().offset())
                    .put("fullOffset", fragment.base().fullOffset());
        }
        ObjectNode state = root.putObject("state");
        fragment.state().forEach(state::set);
        if (fragment.base() != null) {
            ArrayNode removed = root.putArray("removed");
            fragment.removed().forEach(removed::add);
        }
        ObjectNode in = root.putObject("in");
        fragment.in().forEach((topic, channel) -> {
            ObjectNode node = in.putObject(topic);
            node.put("recordedFrom", channel.recordedFrom());
            node.put("markerOffset", channel.markerOffset());
            if (channel.appliedEpoch() >= 0) {
                node.putObject("applied").put("epoch", channel.appliedEpoch()).put("seq", channel.appliedSeq());
            }
            writeMessages(node.putArray("messages"), channel.messages());
        });
        ObjectNode out = root.putObject("out");
        fragment.out().forEach((topic, channel) -> out.putObject(topic).put("markerOffset", channel.markerOffset()));
        Timeline.writeTo(root, fragment.timeline());
        return root;
    }

    public static void writeMessages(ArrayNode array, List<Fragment.Message> messages) {
        for (Fragment.Message message : messages) {
            ObjectNode node = array.addObject();
            node.put("offset", message.offset());
            node.set("key", message.key());
            node.set("value", message.value());
            if (!message.headers().isEmpty()) {
                ObjectNode headers = node.putObject("headers");
                message.headers().forEach(headers::set);
            }
            if (message.timestamp() >= 0) {
                node.put("timestamp", message.timestamp());
            }
        }
    }

    public static Fragment read(byte[] json) {
        Fields root = Fields.root("fragment", json);
        int v = root.version(Fragment.VERSION, Fragment.INCREMENTAL_VERSION);
        long snapshot = root.nonNegative("snapshot");
        String process = root.text("process");
        long recordedAt = root.integer("recordedAt");
        Fragment.Base base = null;
        List<String> removed = List.of();
        if (v == Fragment.INCREMENTAL_VERSION) {
            Fields b = root.object("base");
            long baseSnapshot = b.nonNegative("snapshot");
            long offset = b.nonNegative("offset");
            long fullOffset = b.nonNegative("fullOffset");
            if (baseSnapshot == snapshot) {
                throw b.problem("\"snapshot\" must be another snapshot than the fragment's own, " + snapshot);
            }
            if (fullOffset > offset) {
                throw b.problem("\"fullOffset\" must not be after \"offset\", got " + fullOffset + " > " + offset);
            }
            base = new Fragment.Base(baseSnapshot, offset, fullOffset);
            removed = root.strings("removed");
        }

        Map<String, JsonNode> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.object("state").entries(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            state.put(entry.getKey(), entry.getValue());
        }

        Map<String, Fragment.InChannel> in = new LinkedHashMap<>();
        Fields inFields = root.object("in");
        for (Iterator<Map.Entry<String, JsonNode>> it = inFields.entries(); it.hasNext(); ) {
            String topic = it.next().getKey();
            Fields channel = inFields.entry(topic);
            long appliedEpoch = -1;
            long appliedSeq = -1;
            if (channel.has("applied")) {
                Fields applied = channel.object("applied");
                appliedEpoch = applied.nonNegative("epoch");
                appliedSeq = applied.integer("seq");
            }
            in.put(topic, new Fragment.InChannel(channel.nonNegative("recordedFrom"), channel.nonNegative("markerOffset"),
                    readMessages(channel), appliedEpoch, appliedSeq));
        }

        Map<String, Fragment.OutChannel> out = new LinkedHashMap<>();
        Fields outFields = root.object("out");
        for (Iterator<Map.Entry<String, JsonNode>> it = outFields.entries(); it.hasNext(); ) {
            String topic = it.next().getKey();
            out.put(topic, new Fragment.OutChannel(outFields.entry(topic).nonNegative("markerOffset")));
        }
        try {
            return new Fragment(v, snapshot, process, recordedAt, state, in, out, Timeline.read(root), base, removed);
        } catch (IllegalArgumentException e) {
            throw root.problem(e.getMessage());
        }
    }

    public static List<Fragment.Message> readMessages(Fields channel) {
        List<Fragment.Message> messages = new ArrayList<>();
        for (Fields message : channel.objects("messages")) {
            Map<String, JsonNode> headers = new LinkedHashMap<>();
            if (message.has("headers")) {
                for (Iterator<Map.Entry<String, JsonNode>> it = message.object("headers").entries(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> header = it.next();
                    headers.put(header.getKey(), header.getValue());
                }
            }
            long timestamp = message.has("timestamp") ? message.integer("timestamp") : -1;
            messages.add(new Fragment.Message(message.nonNegative("offset"), message.value("key"), message.value("value"),
                    headers, timestamp));
        }
        return messages;
    }
}
