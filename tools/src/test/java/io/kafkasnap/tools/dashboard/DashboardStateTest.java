package io.kafkasnap.tools.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.format.ControlRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dashboard's model fed by hand with the records it reads from Kafka. */
class DashboardStateTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode process(JsonNode topology, String id) {
        for (JsonNode p : topology.path("processes")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no process " + id + " in " + topology);
    }

    private static JsonNode channel(JsonNode topology, String topic) {
        for (JsonNode c : topology.path("channels")) {
            if (c.path("topic").asText().equals(topic)) {
                return c;
            }
        }
        throw new AssertionError("no channel " + topic + " in " + topology);
    }

    @Test
    void topologyFromJoinsAndLeavesWithLagOnlyWhereTheReceiversStatusIsKnown() {
        DashboardState state = new DashboardState(10, 2, 0);
        state.onControl(0, 1_000, new ControlRecord.Join("a", List.of("b.a"), List.of("a.b")).toJson());
        state.onControl(1, 1_000, new ControlRecord.Join("b", List.of("a.b"), List.of("b.a")).toJson());
        state.onControl(2, 1_000, new ControlRecord.Join("c", List.of(), List.of()).toJson());
        state.onControl(3, 2_000, new ControlRecord.Leave("c").toJson());
        state.onControl(4, 3_000, new ControlRecord.Join("a", List.of("b.a"), List.of("a.b")).toJson());
        state.onStatus("b", utf8("{\"v\":1,\"process\":\"b\",\"at\":10000,\"epoch\":0,\"positions\":{\"a.b\":40},"
                + "\"outbox\":0,\"inFlight\":[]}"));
        state.onEndOffsets(Map.of("a.b", 50L, "b.a", 7L), 10_000);
        state.onEndOffsets(Map.of("a.b", 70L, "b.a", 7L), 12_000);

        JsonNode topology = state.topology(12_000);
        assertThat(process(topology, "a").path("state").asText()).isEqualTo("restarted");
        assertThat(process(topology, "b").path("state").asText()).isEqualTo("up");
        assertThat(process(topology, "c").path("state").asText()).isEqualTo("left");
        JsonNode ab = channel(topology, "a.b");
        assertThat(ab.path("from").asText()).isEqualTo("a");
        assertThat(ab.path("to").asText()).isEqualTo("b");
        assertThat(ab.path("lag").asLong()).isEqualTo(30);
        assertThat(ab.path("rate").asDouble()).isEqualTo(10.0);
        assertThat(channel(topology, "b.a").has("lag")).as("a has published no status").isFalse();
        assertThat(state.lag("b.a")).isNaN();

        assertThat(process(state.topology(10_000 + DashboardState.DOWN_AFTER_MS + 1), "b").path("state").asText())
                .as("a status older than " + DashboardState.DOWN_AFTER_MS + " ms").isEqualTo("down");
        state.onStatus("b", null);
        assertThat(process(state.topology(60_000), "b").path("state").asText())
                .as("a tombstone: stopped cleanly, no status to age").isEqualTo("up");
    }

    @Test
    void aChannelOfAProcessThatLeftIsDrawnFromItsLiveSuccessorAndADepartedReceiverHasNoLag() {
        DashboardState state = new DashboardState(10, 2, 0);
        state.onControl(0, 1_000, new ControlRecord.Join("a", List.of(), List.of("a.x", "a.y")).toJson());
        state.onControl(1, 1_000, new ControlRecord.Join("old", List.of("a.x"), List.of()).toJson());
        state.onControl(2, 1_000, new ControlRecord.Join("y", List.of("a.y"), List.of()).toJson());
        state.onStatus("y", utf8("{\"v\":1,\"process\":\"y\",\"at\":1000,\"epoch\":0,\"positions\":{\"a.y\":3},"
                + "\"outbox\":0,\"inFlight\":[]}"));
        state.onEndOffsets(Map.of("a.x", 10L, "a.y", 10L), 1_000);
        state.onControl(3, 2_000, new ControlRecord.Leave("old").toJson());
        state.onControl(4, 2_000, new ControlRecord.Leave("y").toJson());
        // "old" sorts after "new": the live receiver must win whatever the order of the ids
        state.onControl(5, 3_000, new ControlRecord.Join("new", List.of("a.x"), List.of()).toJson());

        JsonNode topology = state.topology(3_000);
        assertThat(channel(topology, "a.x").path("to").asText()).as("a.x's receiver").isEqualTo("new");
        assertThat(channel(topology, "a.x").has("receiverLeft")).isFalse();
        JsonNode ay = channel(topology, "a.y");
        assertThat(ay.path("to").asText()).isEqualTo("y");
        assertThat(ay.path("receiverLeft").asBoolean()).isTrue();
        assertThat(ay.has("lag")).as("lag of a receiver that left; %s", ay).isFalse();
        assertThat(process(topology, "y").path("state").asText()).isEqualTo("left");
    }

    @Test
    void malformedControlRecordsAreListedWithOffsetAndReasonAndOnlyTheNewestAreKept() {
        DashboardState state = new DashboardState(10, 2, 0);
        assertThat(state.onControl(0, 1_000, new ControlRecord.Join("a", List.of(), List.of()).toJson())).isTrue();
        assertThat(state.topology(1_000).path("malformedControl").path("count").asLong()).isZero();
        assertThat(state.onControl(1, 2_000, utf8("not json"))).as("a malformed record changes what is shown")
                .isTrue();
        JsonNode bad = state.topology(2_000).path("malformedControl");
        assertThat(bad.path("count").asLong()).isEqualTo(1);
        assertThat(bad.path("records").get(0).path("offset").asLong()).isEqualTo(1);
        assertThat(bad.path("records").get(0).path("at").asLong()).isEqualTo(2_000);
        assertThat(bad.path("records").get(0).path("reason").asText()).isNotBlank();
        for (int i = 0; i < DashboardState.MALFORMED_SHOWN + 5; i++) {
            state.onControl(10 + i, 3_000, utf8("{\"type\":\"nonsense\"}"));
        }
        bad = state.topology(3_000).path("malformedControl");
        assertThat(bad.path("count").asLong()).isEqualTo(DashboardState.MALFORMED_SHOWN + 6);
        assertThat(bad.path("records")).hasSize(DashboardState.MALFORMED_SHOWN);
        assertThat(bad.path("records").get(DashboardState.MALFORMED_SHOWN - 1).path("offset").asLong())
                .as("newest last").isEqualTo(10 + DashboardState.MALFORMED_SHOWN + 4);
    }

    @Test
    void inProgressNamesWhoHasPublishedAndTheChannelsStillAwaited() {
        DashboardState state = new DashboardState(10, 2, 0);
        state.onControl(0, 1_000, new ControlRecord.Join("a", List.of("b.a"), List.of("a.b")).toJson());
        state.onControl(1, 1_000, new ControlRecord.Join("b", List.of("a.b"), List.of("b.a")).toJson());
        state.onControl(2, 5_000, ControlRecord.Trigger.anyMember().toJson());
        state.onFragmentRecord(utf8("2/a"), 100, "0/2");
        JsonNode before = state.progress(6_000).get(0);
        assertThat(before.path("published").size()).as("one chunk of two is not a fragment").isZero();
        state.onFragmentRecord(utf8("2/a"), 100, "1/2");

        JsonNode progress = state.progress(6_500).get(0);
        assertThat(progress.path("id").asLong()).isEqualTo(2);
        assertThat(progress.path("ageMs").asLong()).isEqualTo(1_500);
        assertThat(progress.path("published").toString()).isEqualTo("[\"a\"]");
        assertThat(progress.path("missingMembers").toString()).isEqualTo("[\"b\"]");
        assertThat(progress.path("missingChannels").toString()).isEqualTo("[\"a.b\"]");

        state.finished(2);
        assertThat(state.progress(7_000)).isEmpty();

        DashboardState late = new DashboardState(10, 2, 0);
        late.onControl(0, 1_000, new ControlRecord.Join("a", List.of(), List.of()).toJson());
        late.finished(1);
        late.onControl(1, 5_000, ControlRecord.Trigger.anyMember().toJson());
        assertThat(late.progress(7_000)).as("a trigger read after its snapshot was assembled").isEmpty();
        assertThat(state.onFragmentRecord(utf8("not-a-key"), 1, null)).isEqualTo(Optional.empty());
    }

    @Test
    void restoresListWhoHasRestoredWhoIsMissingAndTheDurationOnceDoneAndTheEpochComesFromTheStatus() {
        DashboardState state = new DashboardState(10, 2, 0);
        state.onControl(0, 1_000, new ControlRecord.Join("a", List.of(), List.of()).toJson());
        state.onControl(1, 1_000, new ControlRecord.Join("b", List.of(), List.of()).toJson());
        state.onControl(2, 2_000, ControlRecord.Trigger.anyMember().toJson());
        assertThat(state.takeRestoresChanged()).as("no restore yet").isFalse();
        state.onControl(3, 5_000, new ControlRecord.Restore(2).toJson());
        state.onControl(4, 5_300, new ControlRecord.Restored("b", 3, 2).toJson());
        assertThat(state.takeRestoresChanged()).isTrue();
        assertThat(state.takeRestoresChanged()).as("taken").isFalse();

        JsonNode pending = state.restores().get(0);
        assertThat(pending.path("epoch").asLong()).isEqualTo(3);
        assertThat(pending.path("snapshot").asLong()).isEqualTo(2);
        assertThat(pending.path("writtenAt").asLong()).isEqualTo(5_000);
        assertThat(pending.path("restored").toString()).isEqualTo("[\"b\"]");
        assertThat(pending.path("missing").toString()).isEqualTo("[\"a\"]");
        assertThat(pending.path("state").asText()).isEqualTo("in-progress");
        assertThat(pending.has("durationMs")).isFalse();

        state.onControl(5, 5_800, new ControlRecord.Restored("a", 3, 2).toJson());
        state.onStatus("a", utf8("{\"v\":1,\"process\":\"a\",\"at\":5800,\"epoch\":3,\"positions\":{},"
                + "\"outbox\":0,\"inFlight\":[]}"));
        JsonNode done = state.restores().get(0);
        assertThat(done.path("done").asBoolean()).isTrue();
        assertThat(done.path("durationMs").asLong()).isEqualTo(800);
        assertThat(done.path("missing").size()).isZero();
        assertThat(process(state.topology(6_000), "a").path("epoch").asLong()).isEqualTo(3);
        assertThat(state.overview(6_000).path("restores").size()).isEqualTo(1);
    }
}
