package io.kafkasnap.tools.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only helpers over an assembled global snapshot in the design's JSON form
 * ({@code {"v":1,"snapshot":42,"status":...,"members":[...],"processes":{...},"channels":{...},"consistency":{...}}}).
 * The samples check snapshots from this JSON alone, as an outside tool would: no middleware classes needed.
 */
public final class SnapshotView {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private final JsonNode json;

    public SnapshotView(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("a global snapshot is a JSON object, got: " + json);
        }
        this.json = json;
    }

    public static SnapshotView parse(byte[] bytes) {
        try {
            return new SnapshotView(MAPPER.readTree(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON global snapshot", e);
        }
    }

    public JsonNode json() {
        return json;
    }

    public long id() {
        return json.path("snapshot").asLong(-1);
    }

    /** complete, inconsistent, failed, incomplete, timed-out or in-progress. */
    public String status() {
        return json.path("status").asText("unknown");
    }

    /** Why it is not complete, as a code (restarted-during-snapshot, timed-out, ...); empty when complete. */
    public String reason() {
        return json.path("reason").asText("");
    }

    /** The reason for people: which member, which channels. */
    public String detail() {
        return json.path("detail").asText("");
    }

    public boolean isComplete() {
        return "complete".equals(status());
    }

    public List<String> members() {
        List<String> members = new ArrayList<>();
        json.path("members").forEach(m -> members.add(m.asText()));
        return members;
    }

    /** process id → its recorded state object (key → JSON value). */
    public Map<String, JsonNode> states() {
        Map<String, JsonNode> states = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : json.path("processes").properties()) {
            states.put(e.getKey(), e.getValue().path("state"));
        }
        return states;
    }

    /** A long in a process's state, or {@code absent}. State values that are JSON numbers or numeric strings count. */
    public long stateLong(String process, String key, long absent) {
        JsonNode value = json.path("processes").path(process).path("state").path(key);
        return asLong(value, absent);
    }

    /** channel topic → its recorded in-flight messages (each {"offset":..,"key":..,"value":..}). */
    public Map<String, List<JsonNode>> channelMessages() {
        Map<String, List<JsonNode>> channels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : json.path("channels").properties()) {
            List<JsonNode> messages = new ArrayList<>();
            e.getValue().path("messages").forEach(messages::add);
            channels.put(e.getKey(), messages);
        }
        return channels;
    }

    public JsonNode channel(String topic) {
        return json.path("channels").path(topic);
    }

    public int inFlightCount() {
        return channelMessages().values().stream().mapToInt(List::size).sum();
    }

    public boolean consistencyChecked() {
        return json.path("consistency").path("checked").asBoolean(false);
    }

    public List<String> violations() {
        List<String> violations = new ArrayList<>();
        json.path("consistency").path("violations").forEach(v -> violations.add(v.isTextual() ? v.asText() : v.toString()));
        return violations;
    }

    /** Consistent by the middleware's rules 1–3: complete, checked, no violations. */
    public boolean isConsistent() {
        return isComplete() && consistencyChecked() && violations().isEmpty();
    }

    /** Trigger-to-completion time the assembler recorded, or -1 if it does not say. */
    public long assemblerMillis() {
        JsonNode triggered = json.path("triggeredAt");
        JsonNode completed = json.path("completedAt");
        if (triggered.isNumber() && completed.isNumber()) {
            return completed.asLong() - triggered.asLong();
        }
        return -1;
    }

    public static long asLong(JsonNode value, long absent) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return absent;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            try {
                return Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an integer: " + value);
            }
        }
        throw new IllegalArgumentException("not an integer: " + value);
    }

    public String toPrettyJson() {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] toJsonBytes() {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
