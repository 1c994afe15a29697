package io.kafkasnap.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;

/**
 * How bytes (state values, record keys and values) appear in kafkasnap JSON: bytes that are one complete JSON
 * document stay JSON; any other bytes become {@code {"$base64":"..."}}; absent bytes ({@code null}) are JSON null.
 *
 * <p>{@code fromJson(toJson(b))} gives back exactly {@code b}, so a restore puts back the very bytes: bytes stay JSON
 * only when writing that JSON compactly gives the same bytes ({@code {"amount":5}}, not {@code { "amount" : 5 }},
 * which is base64). Bytes that are themselves the JSON document {@code null}, or a JSON object that looks like the
 * marker, are base64-encoded too, so decoding is never ambiguous.
 */
public final class ValueCodec {

    /** The single field of the object that marks base64-encoded bytes. */
    public static final String BASE64_FIELD = "$base64";

    private ValueCodec() {
    }

    /** JSON for these bytes: the document itself if they are UTF-8 JSON, else a base64 marker; null → JSON null. */
    public static JsonNode toJson(byte[] bytesOrNull) {
        if (bytesOrNull == null) {
            return NullNode.getInstance();
        }
        JsonNode parsed = parseStrictly(bytesOrNull);
        // The bytes "null" must not become JSON null, which stands for no bytes at all.
        if (parsed == null || parsed.isNull() || isBase64Marker(parsed)
                || !Arrays.equals(Json.compact(parsed), bytesOrNull)) {
            ObjectNode marker = Json.MAPPER.createObjectNode();
            marker.put(BASE64_FIELD, Base64.getEncoder().encodeToString(bytesOrNull));
            return marker;
        }
        return parsed;
    }

    /**
     * The bytes this JSON stands for: decoded base64 for a marker, {@code null} for JSON null (or a missing node),
     * the compact serialization for any other value.
     *
     * @throws IllegalArgumentException if a {@code $base64} marker holds something that is not base64
     */
    public static byte[] fromJson(JsonNode json) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return null;
        }
        if (isBase64Marker(json)) {
            String text = json.get(BASE64_FIELD).asText();
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + BASE64_FIELD + "\" is not base64: " + e.getMessage(), e);
            }
        }
        return Json.compact(json);
    }

    /** A header value: text when it is UTF-8, else a base64 marker; null stays JSON null. */
    public static JsonNode headerToJson(byte[] bytesOrNull) {
        if (bytesOrNull == null) {
            return NullNode.getInstance();
        }
        if (isUtf8(bytesOrNull)) {
            return Json.MAPPER.getNodeFactory().textNode(new String(bytesOrNull, StandardCharsets.UTF_8));
        }
        ObjectNode marker = Json.MAPPER.createObjectNode();
        marker.put(BASE64_FIELD, Base64.getEncoder().encodeToString(bytesOrNull));
        return marker;
    }

    /** The bytes of a header value written by {@link #headerToJson}. */
    public static byte[] headerFromJson(JsonNode json) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return null;
        }
        if (json.isTextual()) {
            return json.asText().getBytes(StandardCharsets.UTF_8);
        }
        return fromJson(json);
    }

    /** Whether these two JSON forms stand for the same value, numbers compared by value. */
    public static boolean sameValue(JsonNode a, JsonNode b) {
        JsonNode left = a == null ? NullNode.getInstance() : a;
        JsonNode right = b == null ? NullNode.getInstance() : b;
        return Json.semanticallyEqual(left, right);
    }

    static boolean isBase64Marker(JsonNode node) {
        if (!node.isObject() || node.size() != 1) {
            return false;
        }
        Iterator<String> names = node.fieldNames();
        return names.next().equals(BASE64_FIELD) && node.get(BASE64_FIELD).isTextual();
    }

    /** The single JSON value these bytes hold, or null if they are not exactly one valid UTF-8 JSON document. */
    private static JsonNode parseStrictly(byte[] bytes) {
        if (!isUtf8(bytes)) {
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            // readTree answers "nothing" (missing node) for empty or whitespace-only input, which is not a document.
            return node == null || node.isMissingNode() ? null : node;
        } catch (IOException | RuntimeException e) {
            // Not JSON (or beyond Jackson's size/depth limits): such bytes are carried as base64, which is lossless.
            return null;
        }
    }

    /**
     * Whether {@code bytes} are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
     * U+10FFFF), as a strict {@code CharsetDecoder} judges, without decoding: a fragment's read-out asks this of
     * every value, and a decoder allocates a buffer per value and an exception per binary one.
     */
    static boolean isUtf8(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            int b = bytes[i] & 0xff;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int lo = 0x80;
            int hi = 0xbf;
            if (b >= 0xc2 && b <= 0xdf) {
                length = 2;
            } else if (b >= 0xe0 && b <= 0xef) {
                length = 3;
                if (b == 0xe0) {
                    lo = 0xa0; // shorter forms are overlong
                } else if (b == 0xed) {
                    hi = 0x9f; // beyond are the surrogates
                }
            } else if (b >= 0xf0 && b <= 0xf4) {
                length = 4;
                if (b == 0xf0) {
                    lo = 0x90;
                } else if (b == 0xf4) {
                    hi = 0x8f; // beyond is above U+10FFFF
                }
            } else {
                return false;
            }
            if (i + length > n) {
                return false;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}
