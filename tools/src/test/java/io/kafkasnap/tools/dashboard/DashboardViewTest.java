package io.kafkasnap.tools.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's view computations (view.js) run under Node, the same file the page loads: how channels between one pair
 * of processes are bent apart, how the history chart's scale copes with an outlier, how channel ends that are no
 * process and processes that left are labelled.
 */
class DashboardViewTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path temp;

    /** Calls {@code DashboardView.<function>(...args)} under Node and returns its result as JSON. */
    private JsonNode call(String function, Object... args) throws Exception {
        Optional<Path> node = Optional.ofNullable(System.getenv("PATH")).stream()
                .flatMap(p -> List.of(p.split(java.io.File.pathSeparator)).stream())
                .map(d -> Path.of(d, "node")).filter(Files::isExecutable).findFirst();
        // like the browser test, this needs a tool from outside Maven; without Node it is skipped, not failed
        Assumptions.assumeTrue(node.isPresent(), "no node on PATH");
        Path view = temp.resolve("view.js");
        try (InputStream in = DashboardViewTest.class.getResourceAsStream("/dashboard/view.js")) {
            Files.write(view, in.readAllBytes());
        }
        Path script = temp.resolve("call.js");
        Files.writeString(script, "const v = require(process.argv[2]);\n"
                + "const args = JSON.parse(require('fs').readFileSync(process.argv[3], 'utf8'));\n"
                + "process.stdout.write(JSON.stringify(v[process.argv[4]](...args)));\n");
        Path input = temp.resolve("args.json");
        MAPPER.writeValue(input.toFile(), args);
        List<String> command = new ArrayList<>(List.of(node.get().toString(), script.toString(), view.toString(),
                input.toString(), function));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return MAPPER.readTree(text);
    }

    private static Object edge(String from, String to, String topic) {
        return MAPPER.createObjectNode().put("source", from).put("target", to).put("topic", topic)
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("label", MAPPER.createObjectNode())
                .set("lineStyle", MAPPER.createObjectNode());
    }

    private static double curveness(JsonNode edges, String topic) {
        for (JsonNode e : edges) {
            if (e.path("topic").asText().equals(topic)) {
                return e.path("lineStyle").path("curveness").asDouble(Double.NaN);
            }
        }
        throw new AssertionError("no edge " + topic + " in " + edges);
    }

    @Test
    void oppositeChannelsBendToOppositeSidesAndASecondChannelOfTheSameDirectionBendsFurther() throws Exception {
        JsonNode edges = call("separateOpposite", List.of(edge("a", "b", "a.b"), edge("b", "a", "b.a"),
                edge("a", "b", "a.b.2"), edge("a", "c", "a.c")));
        // the same positive curveness on reversed directions is a bend to the other side of the line a–b
        assertThat(curveness(edges, "a.b")).isPositive().isEqualTo(curveness(edges, "b.a"));
        assertThat(curveness(edges, "a.b.2")).as("second a→b channel").isGreaterThan(curveness(edges, "a.b"));
        assertThat(curveness(edges, "a.c")).as("a lone channel").isLessThan(curveness(edges, "a.b"));
        assertThat(edges).allSatisfy(e -> assertThat(e.path("label").path("position").asText()).isEqualTo("middle"));
    }

    @Test
    void oneOutlierClipsTheScaleAboveTheOthersAndIsReportedWithItsTrueValue() throws Exception {
        List<Integer> values = new ArrayList<>(List.of(40, 52, 47, 61, 38, 55, 49, 58, 44, 50, 46, 53));
        values.add(3, 90_000);
        JsonNode scale = call("clipScale", values);
        assertThat(scale.path("max").asDouble()).as("axis maximum; %s", scale)
                .isGreaterThanOrEqualTo(61).isLessThan(200);
        assertThat(scale.path("outliers")).hasSize(1);
        assertThat(scale.path("outliers").get(0).path("index").asInt()).isEqualTo(3);
        assertThat(scale.path("outliers").get(0).path("value").asInt()).isEqualTo(90_000);
    }

    @Test
    void aSteadilyRisingSeriesOrOneWithGapsKeepsItsFullScale() throws Exception {
        assertThat(call("clipScale", List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100)).path("max").isNull())
                .as("rising: no outlier").isTrue();
        List<Integer> withNulls = new ArrayList<>(java.util.Arrays.asList(null, 5, null, 6, 7, 5, 6));
        assertThat(call("clipScale", withNulls).path("outliers")).as("nulls are no values").isEmpty();
    }

    @Test
    void channelEndsThatAreNoProcessGetNamedStandInsAndChannelsOfDepartedProcessesAreFlagged() throws Exception {
        List<Object> processes = List.of(Map.of("id", "a", "state", "up"), Map.of("id", "gone", "state", "left"));
        List<Object> channels = new ArrayList<>();
        channels.add(Map.of("topic", "a.later", "from", "a"));
        channels.add(Map.of("topic", "ext.a", "to", "a"));
        channels.add(Map.of("topic", "a.gone", "from", "a", "to", "gone"));
        channels.add(Map.of("topic", "a.z", "from", "a", "to", "z"));
        JsonNode view = call("channelEnds", processes, channels);
        JsonNode ends = view.path("ends");
        assertThat(ends.get(0).path("target").asText()).isEqualTo("(no receiver yet)");
        assertThat(ends.get(1).path("source").asText()).isEqualTo("(sender outside the group)");
        assertThat(ends.get(3).path("target").asText()).as("a receiver id that is no process")
                .isEqualTo("(no receiver yet)");
        assertThat(ends.get(2).path("departed").asBoolean()).isTrue();
        assertThat(ends.get(0).path("departed").asBoolean()).isFalse();
        assertThat(view.path("placeholders")).extracting(p -> p.path("label").asText())
                .containsExactlyInAnyOrder("(no receiver yet)", "(sender outside the group)")
                .allSatisfy(label -> assertThat(label).isNotBlank());
    }

    @Test
    void aDepartedProcessIsLabelledLeftInsteadOfWithItsLastEpoch() throws Exception {
        assertThat(call("processHead", Map.of("id", "b", "state", "left", "epoch", 2)).asText()).isEqualTo("b · left");
        assertThat(call("processHead", Map.of("id", "b", "state", "up", "epoch", 2)).asText())
                .isEqualTo("b · epoch 2");
        assertThat(call("processHead", Map.of("id", "b", "state", "up")).asText()).isEqualTo("b");
    }
}
