package io.kafkasnap.tools.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The page's view computations (view.js) run under Node, the same file the page loads: where the graph's processes
 * go and how its channels are bent so that no two channel labels overlap, how the history chart's scale copes with an outlier, how channel ends that are no
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

    private static ObjectNode edge(String from, String to, String label) {
        ObjectNode edge = MAPPER.createObjectNode().put("source", from).put("target", to).put("topic", label);
        edge.putObject("label").put("show", true).put("formatter", label);
        edge.putObject("lineStyle");
        return edge;
    }

    /** Every process sends to every other one, as in the bank's full topology; labels as long as the page writes. */
    private static List<Object> fullGraph(int processes, List<Object> edges) {
        List<Object> nodes = new ArrayList<>();
        for (int a = 0; a < processes; a++) {
            nodes.add(Map.of("id", "bank-" + a, "symbolSize", 28));
            for (int b = 0; b < processes; b++) {
                if (a != b) {
                    edges.add(edge("bank-" + a, "bank-" + b, "bank." + a + "." + b + " · lag 12345 · 96.9/s · ✉ 12"));
                }
            }
        }
        return nodes;
    }

    /** The corners of each edge's label, as [[x, y] × 4]. */
    private static List<double[][]> corners(JsonNode layout) {
        List<double[][]> out = new ArrayList<>();
        for (JsonNode quad : layout.path("corners")) {
            double[][] q = new double[4][2];
            for (int i = 0; i < 4; i++) {
                q[i][0] = quad.get(i).get(0).asDouble();
                q[i][1] = quad.get(i).get(1).asDouble();
            }
            out.add(q);
        }
        return out;
    }

    /** Whether two convex quadrilaterals intersect (no side of either separates them). */
    private static boolean intersect(double[][] p, double[][] q) {
        for (double[][] quad : List.of(p, q)) {
            for (int i = 0; i < 4; i++) {
                double ax = quad[(i + 1) % 4][1] - quad[i][1];
                double ay = quad[i][0] - quad[(i + 1) % 4][0];
                double minP = Double.MAX_VALUE, maxP = -Double.MAX_VALUE;
                double minQ = Double.MAX_VALUE, maxQ = -Double.MAX_VALUE;
                for (int k = 0; k < 4; k++) {
                    double vp = p[k][0] * ax + p[k][1] * ay;
                    double vq = q[k][0] * ax + q[k][1] * ay;
                    minP = Math.min(minP, vp);
                    maxP = Math.max(maxP, vp);
                    minQ = Math.min(minQ, vq);
                    maxQ = Math.max(maxQ, vq);
                }
                if (maxP <= minQ || maxQ <= minP) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void inAFullGraphOfThreeFourOrFiveProcessesNoTwoChannelLabelsOverlapAndAllStayInTheGraph() throws Exception {
        // 788 is the graph's width in the browser test's window; labels of five processes' twenty channels as long
        // as these need about 700
        for (int width : List.of(700, 788, 1000, 1400)) {
            for (int processes = 3; processes <= 5; processes++) {
                List<Object> edges = new ArrayList<>();
                List<Object> nodes = fullGraph(processes, edges);
                JsonNode layout = call("layoutGraph", nodes, edges, Map.of("width", width, "height", 460));
                List<double[][]> boxes = corners(layout);
                String context = processes + " processes in " + width + " × 460: " + layout;
                assertThat(boxes).as(context).hasSize(edges.size());
                List<String> overlapping = new ArrayList<>();
                for (int i = 0; i < boxes.size(); i++) {
                    for (int j = i + 1; j < boxes.size(); j++) {
                        if (intersect(boxes.get(i), boxes.get(j))) {
                            overlapping.add(layout.path("edges").get(i).path("topic").asText() + " / "
                                    + layout.path("edges").get(j).path("topic").asText());
                        }
                    }
                }
                assertThat(overlapping).as("labels that overlap; %s", context).isEmpty();
                assertThat(layout.path("overlaps")).as("overlaps the layout reports; %s", context).isEmpty();
                int w = width;
                assertThat(boxes.stream().flatMap(java.util.Arrays::stream)).as("label corners; %s", context)
                        .allSatisfy(c -> assertThat(c[0] >= 0 && c[0] <= w && c[1] >= 0 && c[1] <= 460)
                                .as("corner %s inside the graph", java.util.Arrays.toString(c)).isTrue());
                // with layout 'none', a→b bent by c and b→a bent by −c would be one and the same curve
                Map<String, Double> bends = new java.util.HashMap<>();
                layout.path("edges").forEach(e -> bends.put(e.path("source").asText() + ">"
                        + e.path("target").asText(), e.path("lineStyle").path("curveness").asDouble()));
                bends.forEach((key, c) -> {
                    String[] ends = key.split(">");
                    assertThat(c).as("bend of %s against that of the reverse channel; %s", key, context)
                            .isNotEqualTo(-bends.get(ends[1] + ">" + ends[0]));
                });
            }
        }
    }

    @Test
    void theLabelsOfTheTwoChannelsBetweenTwoProcessesSitApart() throws Exception {
        List<Object> nodes = List.of(Map.of("id", "a", "symbolSize", 28), Map.of("id", "b", "symbolSize", 28));
        JsonNode layout = call("layoutGraph", nodes, List.of(edge("a", "b", "a.b · lag 3"), edge("b", "a", "b.a · lag 4")),
                Map.of("width", 600, "height", 400));
        assertThat(layout.path("overlaps")).as("%s", layout).isEmpty();
        assertThat(intersect(corners(layout).get(0), corners(layout).get(1))).as("%s", layout).isFalse();
        assertThat(layout.path("edges")).allSatisfy(e -> {
            assertThat(e.path("label").path("position").asText()).isIn("middle", "insideMiddleBottom");
            assertThat(e.path("lineStyle").path("curveness").asDouble()).isNotZero();
        });
        // the layout's own check sees labels on one another, turned or not, and only those
        List<List<Integer>> upright = List.of(List.of(0, 0), List.of(100, 0), List.of(100, 14), List.of(0, 14));
        List<List<Integer>> turned = List.of(List.of(90, -20), List.of(130, 20), List.of(120, 30), List.of(80, -10));
        List<List<Integer>> below = List.of(List.of(0, 20), List.of(100, 20), List.of(100, 34), List.of(0, 34));
        assertThat(call("overlapping", List.of(upright, turned, below)).toString()).isEqualTo("[[0,1]]");
    }

    @Test
    void processesAreSpreadInsideTheGraphAndTheBoxGivenToEChartsIsTheirs() throws Exception {
        List<Object> edges = new ArrayList<>();
        JsonNode layout = call("layoutGraph", fullGraph(4, edges), edges, Map.of("width", 788, "height", 460));
        JsonNode box = layout.path("box");
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (JsonNode p : layout.path("positions")) {
            minX = Math.min(minX, p.get(0).asDouble());
            maxX = Math.max(maxX, p.get(0).asDouble());
            minY = Math.min(minY, p.get(1).asDouble());
            maxY = Math.max(maxY, p.get(1).asDouble());
        }
        assertThat(layout.path("positions")).hasSize(4);
        assertThat(minX).isGreaterThan(0).isCloseTo(box.path("left").asDouble(), within(1e-6));
        assertThat(minY).isGreaterThan(0).isCloseTo(box.path("top").asDouble(), within(1e-6));
        assertThat(maxX).isLessThan(788).isCloseTo(minX + box.path("width").asDouble(), within(1e-6));
        assertThat(maxY).isLessThan(460).isCloseTo(minY + box.path("height").asDouble(), within(1e-6));
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

    @Test
    void theTimelineDrawsEachMembersPhasesOnOneScaleAndLeavesOutMembersWithoutOne() throws Exception {
        Map<String, Object> processes = Map.of(
                "a", Map.of("timeline", Map.of("startedBy", "trigger", "triggerSeen", 2, "captured", 3,
                        "markersAcked", 9, "lastMarkerIn", 7, "stateReadOut", 10, "published", 12)),
                "b", Map.of("timeline", Map.of("startedBy", "marker", "triggerSeen", 5, "captured", 6,
                        "markersAcked", 8, "lastMarkerIn", 15, "stateReadOut", 16, "published", 16)),
                "old", Map.of("state", Map.of()));

        JsonNode drawn = call("timelineRows", processes, 20);

        assertThat(drawn.path("scaleMs").asLong()).as("the last fragment record is the end of the scale").isEqualTo(20);
        assertThat(drawn.path("rows").findValuesAsText("id")).containsExactlyInAnyOrder("a", "b");
        for (JsonNode row : drawn.path("rows")) {
            JsonNode segments = row.path("segments");
            assertThat(segments.findValuesAsText("phase"))
                    .containsExactly("to seen", "capture", "markers", "read out", "publish");
            for (int i = 1; i < segments.size(); i++) {
                assertThat(segments.get(i).path("fromMs").asLong()).as("%s: phases follow one another", row)
                        .isEqualTo(segments.get(i - 1).path("toMs").asLong());
            }
            JsonNode last = segments.get(segments.size() - 1);
            assertThat(last.path("left").asDouble() + last.path("width").asDouble())
                    .isCloseTo(row.path("at").path("published").asDouble() / 20 * 100, within(0.02));
        }
        JsonNode b = drawn.path("rows").get(0).path("id").asText().equals("b") ? drawn.path("rows").get(0)
                : drawn.path("rows").get(1);
        assertThat(b.path("segments").get(2).path("toMs").asLong()).as("markers end at the later wait").isEqualTo(15);
        assertThat(b.path("text").asText()).contains("by marker", "markers +15 (last in)", "published +16 ms");
        assertThat(call("timelineRows", Map.of("old", Map.of("state", Map.of())), 20).path("rows")).isEmpty();
    }
}
