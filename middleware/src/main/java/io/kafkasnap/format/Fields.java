package io.kafkasnap.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the fields of a JSON object, failing with a {@link MalformedDocumentException} that names the
 * document and the path of the offending field, e.g. {@code fragment: "in"."t": missing "markerOffset"}.
 */
public final class Fields {

    private final String document;
    private final String path;
    private final JsonNode node;

    private Fields(String document, String path, JsonNode node) {
        this.document = document;
        this.path = path;
        this.node = node;
    }

    /** Parses {@code bytes} as one JSON object. */
    public static Fields root(String document, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedDocumentException(document + ": empty, expected a JSON object");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new MalformedDocumentException(document + ": not JSON: " + Json.reason(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new MalformedDocumentException(document + ": expected a JSON object, got "
                    + (node == null || node.isMissingNode() ? "nothing" : kind(node)));
        }
        return new Fields(document, "", node);
    }

    public MalformedDocumentException problem(String what) {
        return new MalformedDocumentException(document + ": " + (path.isEmpty() ? "" : path + ": ") + what);
    }

    /** The version, one of {@code known}. */
    public int version(int... known) {
        long v = integer("v");
        for (int k : known) {
            if (v == k) {
                return k;
            }
        }
        throw problem("unsupported \"v\": " + v + " (this reader knows v " + java.util.Arrays.toString(known) + ")");
    }

    public int version(int expected) {
        long v = integer("v");
        if (v != expected) {
            throw problem("unsupported \"v\": " + v + " (this reader knows v " + expected + ")");
        }
        return expected;
    }

    public long integer(String field) {
        JsonNode value = required(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw problem("\"" + field + "\" must be an integer, got " + value);
        }
        return value.asLong();
    }

    public long nonNegative(String field) {
        long value = integer(field);
        if (value < 0) {
            throw problem("\"" + field + "\" must be >= 0, got " + value);
        }
        return value;
    }

    public boolean bool(String field) {
        JsonNode value = required(field);
        if (!value.isBoolean()) {
            throw problem("\"" + field + "\" must be true or false, got " + value);
        }
        return value.asBoolean();
    }

    public String text(String field) {
        JsonNode value = required(field);
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw problem("\"" + field + "\" must be a non-empty string, got " + value);
        }
        return value.asText();
    }

    /** A string field that may be JSON null. */
    public String textOrNull(String field) {
        JsonNode value = required(field);
        return value.isNull() ? null : text(field);
    }

    /** A string field that may be absent or JSON null (then null), or empty. */
    public String optionalText(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw problem("\"" + field + "\" must be a string, got " + value);
        }
        return value.asText();
    }

    /** Any JSON value, JSON null included. */
    public JsonNode value(String field) {
        return required(field);
    }

    /** Whether the field is present and not JSON null. */
    public boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    public Fields object(String field) {
        JsonNode value = required(field);
        if (!value.isObject()) {
            throw problem("\"" + field + "\" must be an object, got " + kind(value));
        }
        return new Fields(document, child(field), value);
    }

    /** The elements of an array field, each of which must be an object. */
    public List<Fields> objects(String field) {
        JsonNode value = array(field);
        List<Fields> result = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String elementPath = child(field) + "[" + i + "]";
            if (!element.isObject()) {
                throw new MalformedDocumentException(document + ": " + elementPath + ": expected an object, got " + kind(element));
            }
            result.add(new Fields(document, elementPath, element));
        }
        return result;
    }

    public List<String> strings(String field) {
        JsonNode value = array(field);
        List<String> result = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual() || element.asText().isEmpty()) {
                throw problem("\"" + field + "\"[" + i + "] must be a non-empty string, got " + element);
            }
            result.add(element.asText());
        }
        return result;
    }

    /** This object's own fields, for maps keyed by name. */
    public Iterator<Map.Entry<String, JsonNode>> entries() {
        return node.properties().iterator();
    }

    /** This object's field {@code name} as an object, for map values. */
    public Fields entry(String name) {
        return object(name);
    }

    private JsonNode array(String field) {
        JsonNode value = required(field);
        if (!value.isArray()) {
            throw problem("\"" + field + "\" must be an array, got " + kind(value));
        }
        return value;
    }

    private JsonNode required(String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw problem("missing \"" + field + "\"");
        }
        return value;
    }

    private String child(String field) {
        return (path.isEmpty() ? "" : path + ".") + "\"" + field + "\"";
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
