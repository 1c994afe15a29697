package io.kafkasnap.format;

import io.kafkasnap.collect.Samples;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.MalformedDocumentException;
import io.kafkasnap.format.ValueCodec;

import static io.kafkasnap.collect.Samples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FragmentTest {

    private static final String DESIGN_EXAMPLE = "{\"v\":1,\"snapshot\":42,\"process\":\"bank-0\",\"recordedAt\":1700000000000,"
            + "\"state\":{\"balance\":970},"
            + "\"in\":{\"bank.1.0\":{\"recordedFrom\":120,\"markerOffset\":125,"
            + "\"messages\":[{\"offset\":121,\"key\":null,\"value\":{\"amount\":30}}]}},"
            + "\"out\":{\"bank.0.1\":{\"markerOffset\":77}}}";

    @Test
    void writesTheDesignsFormat() {
        assertThat(new String(Samples.designExample().toJson(), StandardCharsets.UTF_8)).isEqualTo(DESIGN_EXAMPLE);
    }

    @Test
    void readsTheDesignsFormat() {
        Fragment fragment = Fragment.fromJson(utf8(DESIGN_EXAMPLE));
        assertThat(fragment).isEqualTo(Samples.designExample());
        assertThat(fragment.key().toString()).isEqualTo("42/bank-0");
        assertThat(fragment.in().get("bank.1.0").messages().get(0).keyBytes()).isNull();
        assertThat(fragment.in().get("bank.1.0").messages().get(0).valueBytes()).isEqualTo(utf8("{\"amount\":30}"));
    }

    @Test
    void stateIsOrderedByKeyAndBinaryValuesSurvive() {
        byte[] binary = {0, (byte) 0x80, (byte) 0xff};
        Fragment fragment = new Fragment(7, "p", 1, Map.of("z", ValueCodec.toJson(binary), "a", Samples.json("1"),
                "m", Samples.json("\"x\"")), Map.of(), Map.of());
        assertThat(fragment.state().keySet()).containsExactly("a", "m", "z");
        Fragment back = Fragment.fromJson(fragment.toJson());
        assertThat(back).isEqualTo(fragment);
        assertThat(ValueCodec.fromJson(back.state().get("z"))).isEqualTo(binary);
        assertThat(List.copyOf(back.state().keySet())).containsExactly("a", "m", "z");
    }

    @Test
    void anIncrementalFragmentRoundTripsAndAppliesOntoItsBase() {
        Fragment delta = Fragment.incremental(9, "p", 5, new Fragment.Base(7, 40, 12),
                Map.of("b", Samples.json("2"), "c", Samples.json("3")), List.of("z", "a"), Map.of(), Map.of());
        byte[] json = delta.toJson();
        assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("{\"v\":2,\"snapshot\":9,\"process\":\"p\",\"recordedAt\":5,"
                        + "\"base\":{\"snapshot\":7,\"offset\":40,\"fullOffset\":12},"
                        + "\"state\":{\"b\":2,\"c\":3},\"removed\":[\"a\",\"z\"],");
        Fragment back = Fragment.fromJson(json);
        assertThat(back).isEqualTo(delta);
        Fragment full = back.onto(Map.of("a", Samples.json("1"), "b", Samples.json("1"), "y", Samples.json("0")));
        assertThat(full.isIncremental()).isFalse();
        assertThat(full.v()).isEqualTo(Fragment.VERSION);
        assertThat(full.state()).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("b", Samples.json("2"),
                "c", Samples.json("3"), "y", Samples.json("0"))));
    }

    @Test
    void theStreamWritesAnIncrementalFragmentAsTheRecordDoes() throws Exception {
        Fragment.Base base = new Fragment.Base(3, 20, 10);
        Fragment expected = Fragment.incremental(5, "p", 8, base, Map.of("k", ValueCodec.toJson(new byte[] {1})),
                List.of("gone"), Map.of(), Map.of());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        FragmentStream.writeIncremental(out, 5, "p", 8, base, (changed, removed) -> {
            removed.accept("gone");
            changed.accept("k", new byte[] {1});
        }, Map.of(), Map.of(), null);
        assertThat(out.toByteArray()).isEqualTo(expected.toJson());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "nope | fragment: not JSON",
            "[] | fragment: expected a JSON object, got array",
            "{\"snapshot\":1} | fragment: missing \"v\"",
            "{\"v\":3} | fragment: unsupported \"v\": 3",
            "{\"v\":2,\"snapshot\":4,\"process\":\"p\",\"recordedAt\":1,\"state\":{},\"removed\":[],\"in\":{},\"out\":{}} | fragment: missing \"base\"",
            "{\"v\":2,\"snapshot\":4,\"process\":\"p\",\"recordedAt\":1,\"base\":{\"snapshot\":4,\"offset\":9,\"fullOffset\":2},\"state\":{},\"removed\":[],\"in\":{},\"out\":{}} | fragment: \"base\": \"snapshot\" must be another snapshot than the fragment's own, 4",
            "{\"v\":2,\"snapshot\":4,\"process\":\"p\",\"recordedAt\":1,\"base\":{\"snapshot\":3,\"offset\":1,\"fullOffset\":2},\"state\":{},\"removed\":[],\"in\":{},\"out\":{}} | fragment: \"base\": \"fullOffset\" must not be after \"offset\", got 2 > 1",
            "{\"v\":2,\"snapshot\":4,\"process\":\"p\",\"recordedAt\":1,\"base\":{\"snapshot\":3,\"offset\":9,\"fullOffset\":2},\"state\":{\"k\":1},\"removed\":[\"k\"],\"in\":{},\"out\":{}} | fragment: key k is both changed and removed",
            "{\"v\":1,\"snapshot\":1,\"process\":\"p\",\"recordedAt\":1,\"state\":{},\"in\":{}} | fragment: missing \"out\"",
            "{\"v\":1,\"snapshot\":-3,\"process\":\"p\"} | fragment: \"snapshot\" must be >= 0, got -3",
            "{\"v\":1,\"snapshot\":1,\"process\":\"p\",\"recordedAt\":1,\"state\":[],\"in\":{},\"out\":{}} | fragment: \"state\" must be an object, got array",
            "{\"v\":1,\"snapshot\":1,\"process\":\"p\",\"recordedAt\":1,\"state\":{},\"in\":{\"t\":{\"recordedFrom\":1,\"messages\":[]}},\"out\":{}} | fragment: \"in\".\"t\": missing \"markerOffset\"",
            "{\"v\":1,\"snapshot\":1,\"process\":\"p\",\"recordedAt\":1,\"state\":{},\"in\":{\"t\":{\"recordedFrom\":1,\"markerOffset\":2,\"messages\":[{\"offset\":1,\"value\":1}]}},\"out\":{}} | fragment: \"in\".\"t\".\"messages\"[0]: missing \"key\"",
            "{\"v\":1,\"snapshot\":1,\"process\":\"p\",\"recordedAt\":1,\"state\":{},\"in\":{},\"out\":{\"t\":{\"markerOffset\":\"9\"}}} | fragment: \"out\".\"t\": \"markerOffset\" must be an integer, got \"9\"",
    })
    void namesWhatIsWrong(String json, String expected) {
        assertThatThrownBy(() -> Fragment.fromJson(utf8(json)))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessageStartingWith(expected);
    }

    @Test
    void emptyInputIsAClearError() {
        assertThatThrownBy(() -> Fragment.fromJson(new byte[0])).hasMessage("fragment: empty, expected a JSON object");
    }

    @Test
    void fragmentKeysParseStrictly() {
        assertThat(FragmentKey.parse("42/bank-0")).contains(new FragmentKey(42, "bank-0"));
        assertThat(FragmentKey.parse("42/a/b")).contains(new FragmentKey(42, "a/b"));
        assertThat(FragmentKey.parse("x/bank-0")).isEmpty();
        assertThat(FragmentKey.parse("42/")).isEmpty();
        assertThat(FragmentKey.parse("/p")).isEmpty();
        assertThat(FragmentKey.parse("-1/p")).isEmpty();
        assertThat(FragmentKey.parse("+4/p")).isEmpty();
        assertThat(FragmentKey.parse(null)).isEmpty();
    }
}
