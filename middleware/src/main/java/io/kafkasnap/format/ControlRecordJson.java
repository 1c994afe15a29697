package io.kafkasnap.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkasnap.format.ControlRecord.Abort;
import io.kafkasnap.format.ControlRecord.Join;
import io.kafkasnap.format.ControlRecord.Leave;
import io.kafkasnap.format.ControlRecord.Restore;
import io.kafkasnap.format.ControlRecord.Restored;
import io.kafkasnap.format.ControlRecord.Trigger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** JSON reading and writing of {@link ControlRecord}s, kept out of the public interface. */
public final class ControlRecordJson {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ControlRecordJson() {
    }

    static String firstLine(IOException e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    static String process(JsonNode root) throws MalformedControlRecordException {
        JsonNode node = root.get("process");
        if (node == null || node.isNull()) {
            throw new MalformedControlRecordException("missing \"process\"");
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw new MalformedControlRecordException("\"process\" must be a non-empty string, got " + node);
        }
        return node.asText();
    }

    static Optional<String> optionalProcessName(JsonNode root, String field) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isEmpty()) {
            throw new MalformedControlRecordException("\"" + field + "\" must be a non-empty string, got " + node);
        }
        return Optional.of(node.asText());
    }

    static List<String> strings(JsonNode root, String field) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedControlRecordException("missing \"" + field + "\"");
        }
        if (!node.isArray()) {
            throw new MalformedControlRecordException("\"" + field + "\" must be an array of topic names, got " + node);
        }
        List<String> result = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode element = node.get(i);
            if (!element.isTextual() || element.asText().isEmpty()) {
                throw new MalformedControlRecordException(
                        "\"" + field + "\"[" + i + "] must be a non-empty topic name, got " + element);
            }
            result.add(element.asText());
        }
        return result;
    }

    static String text(JsonNode root, String field, boolean required) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new MalformedControlRecordException("missing \"" + field + "\"");
            }
            return "";
        }
        if (!node.isTextual() || (required && node.asText().isEmpty())) {
            throw new MalformedControlRecordException("\"" + field + "\" must be a non-empty string, got " + node);
        }
        return node.asText();
    }

    static boolean optionalBoolean(JsonNode root, String field) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new MalformedControlRecordException("\"" + field + "\" must be true or false, got " + node);
        }
        return node.asBoolean();
    }

    static long nonNegativeLong(JsonNode root, String field) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedControlRecordException("missing \"" + field + "\"");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0) {
            throw new MalformedControlRecordException("\"" + field + "\" must be a non-negative integer, got " + node);
        }
        return node.asLong();
    }

    /** An optional object of process id to offset; empty when absent. */
    static Map<String, Long> offsets(JsonNode root, String field) throws MalformedControlRecordException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new MalformedControlRecordException("\"" + field + "\" must be an object of process id to offset, got "
                    + node);
        }
        Map<String, Long> result = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode offset = entry.getValue();
            if (entry.getKey().isEmpty()) {
                throw new MalformedControlRecordException("\"" + field + "\" has an empty process id");
            }
            if (!offset.isIntegralNumber() || !offset.canConvertToLong() || offset.asLong() < 0) {
                throw new MalformedControlRecordException("\"" + field + "\".\"" + entry.getKey()
                        + "\" must be a non-negative offset, got " + offset);
            }
            result.put(entry.getKey(), offset.asLong());
        }
        return result;
    }

    static byte[] write(ControlRecord record) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("v", ControlRecord.VERSION);
        node.put("type", record.type());
        if (record instanceof Join join) {
            node.put("process", join.process());
            ArrayNode in = node.putArray("in");
            join.in().forEach(in::add);
            ArrayNode out = node.putArray("out");
            join.out().forEach(out::add);
        } else if (record instanceof Leave leave) {
            node.put("process", leave.process());
        } else if (record instanceof Trigger trigger) {
            trigger.initiator().ifPresent(i -> node.put("initiator", i));
        } else if (record instanceof Abort abort) {
            node.put("snapshot", abort.snapshot());
            node.put("process", abort.process());
            node.put("reason", abort.reason());
            node.put("detail", abort.detail());
        } else if (record instanceof Restore restore) {
            node.put("snapshot", restore.snapshot());
            if (restore.allowNewMembers()) {
                node.put("allowNewMembers", true);
            }
            if (!restore.fragments().isEmpty()) {
                ObjectNode fragments = node.putObject("fragments");
                restore.fragments().forEach(fragments::put);
            }
        } else if (record instanceof Restored restored) {
            node.put("process", restored.process());
            node.put("epoch", restored.epoch());
            node.put("snapshot", restored.snapshot());
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a JSON tree, which Jackson always can", e);
        }
    }

    static ControlRecord parse(byte[] json) throws MalformedControlRecordException {
        if (json == null || json.length == 0) {
            throw new MalformedControlRecordException("empty record: expected a JSON object");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new MalformedControlRecordException("not JSON: " + firstLine(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedControlRecordException(
                    "expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        JsonNode v = root.get("v");
        if (v == null) {
            throw new MalformedControlRecordException("missing \"v\"");
        }
        if (!v.isIntegralNumber() || v.asLong() != ControlRecord.VERSION) {
            throw new MalformedControlRecordException("unsupported \"v\": " + v + " (this reader knows v " + ControlRecord.VERSION + ")");
        }
        JsonNode type = root.get("type");
        if (type == null || type.isNull()) {
            throw new MalformedControlRecordException("missing \"type\"");
        }
        if (!type.isTextual()) {
            throw new MalformedControlRecordException("\"type\" must be a string, got " + type);
        }
        switch (type.asText()) {
            case "join":
                return new Join(process(root), strings(root, "in"), strings(root, "out"));
            case "leave":
                return new Leave(process(root));
            case "snapshot":
                return new Trigger(optionalProcessName(root, "initiator"));
            case "abort":
                return new Abort(nonNegativeLong(root, "snapshot"), process(root), text(root, "reason", true),
                        text(root, "detail", false));
            case "restore":
                return new Restore(nonNegativeLong(root, "snapshot"), optionalBoolean(root, "allowNewMembers"),
                        offsets(root, "fragments"));
            case "restored":
                return new Restored(process(root), nonNegativeLong(root, "epoch"), nonNegativeLong(root, "snapshot"));
            default:
                throw new MalformedControlRecordException("unknown type \"" + type.asText() + "\"");
        }
    }
}
