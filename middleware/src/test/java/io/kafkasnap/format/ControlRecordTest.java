package io.kafkasnap.format;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControlRecordTest {

    private static ControlRecord parse(String json) throws MalformedControlRecordException {
        return ControlRecord.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String json(ControlRecord record) {
        return new String(record.toJson(), StandardCharsets.UTF_8);
    }

    @Test
    void writesTheDesignsFormats() {
        assertThat(json(new ControlRecord.Join("bank-0", List.of("bank.1.0"), List.of("bank.0.1"))))
                .isEqualTo("{\"v\":1,\"type\":\"join\",\"process\":\"bank-0\",\"in\":[\"bank.1.0\"],\"out\":[\"bank.0.1\"]}");
        assertThat(json(new ControlRecord.Leave("bank-0"))).isEqualTo("{\"v\":1,\"type\":\"leave\",\"process\":\"bank-0\"}");
        assertThat(json(ControlRecord.Trigger.anyMember())).isEqualTo("{\"v\":1,\"type\":\"snapshot\"}");
        assertThat(json(new ControlRecord.Trigger(Optional.of("bank-0"))))
                .isEqualTo("{\"v\":1,\"type\":\"snapshot\",\"initiator\":\"bank-0\"}");
        assertThat(json(new ControlRecord.Restore(42))).isEqualTo("{\"v\":1,\"type\":\"restore\",\"snapshot\":42}");
        assertThat(json(new ControlRecord.Restore(42, false, Map.of("bank-1", 1240L, "bank-0", 1234L))))
                .isEqualTo("{\"v\":1,\"type\":\"restore\",\"snapshot\":42,"
                        + "\"fragments\":{\"bank-0\":1234,\"bank-1\":1240}}");
    }

    @Test
    void readsWhatItWrites() throws Exception {
        List<ControlRecord> records = List.of(
                new ControlRecord.Join("bank-0", List.of("bank.1.0", "bank.2.0"), List.of()),
                new ControlRecord.Leave("bank-0"),
                ControlRecord.Trigger.anyMember(),
                new ControlRecord.Trigger(Optional.of("bank-1")),
                new ControlRecord.Restore(42),
                new ControlRecord.Restore(42, true, Map.of("bank-0", 0L, "bank-1", 17L)));
        for (ControlRecord record : records) {
            assertThat(ControlRecord.parse(record.toJson())).isEqualTo(record);
        }
    }

    @Test
    void readsHandWrittenRecordsWithSpacesAndUnknownFields() throws Exception {
        assertThat(parse(" { \"type\" : \"snapshot\", \"v\": 1, \"note\": \"by hand\" } "))
                .isEqualTo(ControlRecord.Trigger.anyMember());
        assertThat(parse("{\"v\":1,\"type\":\"snapshot\",\"initiator\":null}")).isEqualTo(ControlRecord.Trigger.anyMember());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "not json at all                                           | not JSON",
            "{\"v\":1,\"type\":\"snapshot\"} trailing                  | not JSON",
            "{\"v\":1,\"type\":\"snapshot\",\"v\":1}                   | not JSON",
            "[1,2]                                                     | expected a JSON object, got array",
            "\"snapshot\"                                              | expected a JSON object, got string",
            "{\"type\":\"snapshot\"}                                   | missing \"v\"",
            "{\"v\":2,\"type\":\"snapshot\"}                           | unsupported \"v\": 2",
            "{\"v\":\"1\",\"type\":\"snapshot\"}                       | unsupported \"v\": \"1\"",
            "{\"v\":1}                                                 | missing \"type\"",
            "{\"v\":1,\"type\":7}                                      | \"type\" must be a string, got 7",
            "{\"v\":1,\"type\":\"x\"}                                  | unknown type \"x\"",
            "{\"v\":1,\"type\":\"leave\"}                              | missing \"process\"",
            "{\"v\":1,\"type\":\"leave\",\"process\":\"\"}             | \"process\" must be a non-empty string, got \"\"",
            "{\"v\":1,\"type\":\"join\",\"process\":\"p\",\"out\":[]}  | missing \"in\"",
            "{\"v\":1,\"type\":\"join\",\"process\":\"p\",\"in\":[]}   | missing \"out\"",
            "{\"v\":1,\"type\":\"join\",\"process\":\"p\",\"in\":\"t\",\"out\":[]} | \"in\" must be an array of topic names, got \"t\"",
            "{\"v\":1,\"type\":\"join\",\"process\":\"p\",\"in\":[],\"out\":[\"a\",3]} | \"out\"[1] must be a non-empty topic name, got 3",
            "{\"v\":1,\"type\":\"snapshot\",\"initiator\":5}           | \"initiator\" must be a non-empty string, got 5",
            "{\"v\":1,\"type\":\"restore\"}                            | missing \"snapshot\"",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":-1}            | \"snapshot\" must be a non-negative integer, got -1",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":1.5}           | \"snapshot\" must be a non-negative integer, got 1.5",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":1,\"fragments\":[3]} | \"fragments\" must be an object of process id to offset, got [3]",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":1,\"fragments\":{\"bank-0\":-2}} | \"fragments\".\"bank-0\" must be a non-negative offset, got -2",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":1,\"fragments\":{\"bank-0\":\"7\"}} | \"fragments\".\"bank-0\" must be a non-negative offset, got \"7\"",
            "{\"v\":1,\"type\":\"restore\",\"snapshot\":1,\"fragments\":{\"\":7}} | \"fragments\" has an empty process id",
    })
    void namesWhatIsWrong(String input, String expected) {
        assertThatThrownBy(() -> parse(input.strip()))
                .isInstanceOf(MalformedControlRecordException.class)
                .hasMessageContaining(expected.strip());
    }

    @Test
    void rejectsEmptyAndNullRecords() {
        assertThatThrownBy(() -> ControlRecord.parse(new byte[0])).hasMessage("empty record: expected a JSON object");
        assertThatThrownBy(() -> ControlRecord.parse(null)).hasMessage("empty record: expected a JSON object");
    }

    @Test
    void rejectsBadValuesWhenBuilt() {
        assertThatThrownBy(() -> new ControlRecord.Leave("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ControlRecord.Restore(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ControlRecord.Restore(1, false, Map.of("bank-0", -1L)))
                .hasMessageContaining("fragment offset of bank-0 must be >= 0, was -1");
        assertThatThrownBy(() -> new ControlRecord.Trigger(Optional.of(""))).isInstanceOf(IllegalArgumentException.class);
    }
}
