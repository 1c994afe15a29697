package io.kafkasnap.format;

import io.kafkasnap.format.ValueCodec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueCodecTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String json(JsonNode node) {
        return node.toString();
    }

    @Test
    void nullIsJsonNullBothWays() {
        assertThat(ValueCodec.toJson(null).isNull()).isTrue();
        assertThat(ValueCodec.fromJson(ValueCodec.toJson(null))).isNull();
        assertThat(ValueCodec.fromJson(null)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"amount\":30}", "[1,\"two\",null]", "123", "-1.50", "true", "\"text\"",
            "12345678901234567890123456789", "{\"nested\":{\"a\":[{}]}}"})
    void jsonStaysJsonAndComesBackTheSame(String text) {
        JsonNode node = ValueCodec.toJson(utf8(text));
        assertThat(ValueCodec.isBase64Marker(node)).isFalse();
        assertThat(json(node)).isEqualTo(text);
        assertThat(new String(ValueCodec.fromJson(node), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void jsonWhoseCompactFormIsOtherBytesIsBase64SoItComesBackByteForByte() {
        byte[] spaced = utf8(" { \"a\" : [ 1 , 2 ] }\n");
        JsonNode node = ValueCodec.toJson(spaced);
        assertThat(json(node)).isEqualTo("{\"$base64\":\"" + Base64.getEncoder().encodeToString(spaced) + "\"}");
        assertThat(ValueCodec.fromJson(node)).isEqualTo(spaced);
        assertThat(json(ValueCodec.toJson(utf8("{\"a\":[1,2]}")))).isEqualTo("{\"a\":[1,2]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "123abc", "{\"a\":1} trailing", "{\"a\":1}{\"b\":2}", "1 2", "", "   ", "{\"a\":1,\"a\":2}",
            "{'single':1}", "NaN", "null", " null ", "[1,2", "{\"$base64\":\"AAAA\"}"})
    void everythingElseIsBase64AndComesBackExactly(String text) {
        byte[] bytes = utf8(text);
        JsonNode node = ValueCodec.toJson(bytes);
        assertThat(json(node)).isEqualTo("{\"$base64\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}");
        assertThat(ValueCodec.fromJson(node)).isEqualTo(bytes);
    }

    @Test
    void binaryAndInvalidUtf8AreBase64() {
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0, 1, '"'};
        assertThat(ValueCodec.isBase64Marker(ValueCodec.toJson(bytes))).isTrue();
        assertThat(ValueCodec.fromJson(ValueCodec.toJson(bytes))).isEqualTo(bytes);
        byte[] badUtf8InString = {'"', (byte) 0xc3, '"'};
        assertThat(ValueCodec.isBase64Marker(ValueCodec.toJson(badUtf8InString))).isTrue();
    }

    @Test
    void aMarkerLookalikeWithANonStringIsOrdinaryJson() {
        JsonNode node = ValueCodec.toJson(utf8("{\"$base64\":5}"));
        assertThat(json(node)).isEqualTo("{\"$base64\":5}");
        assertThat(ValueCodec.fromJson(node)).isEqualTo(utf8("{\"$base64\":5}"));
    }

    @Test
    void badBase64IsAClearError() {
        JsonNode node = ValueCodec.toJson(utf8("x"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("$base64", "not base64!");
        assertThatThrownBy(() -> ValueCodec.fromJson(node))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"$base64\" is not base64");
    }

    @Test
    void sameValueIgnoresFormattingAndNumberTypes() {
        assertThat(ValueCodec.sameValue(ValueCodec.toJson(utf8("{\"a\":5}")), ValueCodec.toJson(utf8("{\"a\":5.0}")))).isTrue();
        assertThat(ValueCodec.sameValue(ValueCodec.toJson(utf8("5")), ValueCodec.toJson(utf8("50000000000")))).isFalse();
        assertThat(ValueCodec.sameValue(null, ValueCodec.toJson(null))).isTrue();
        assertThat(ValueCodec.sameValue(ValueCodec.toJson(utf8("abc")), ValueCodec.toJson(utf8("abd")))).isFalse();
    }
}
