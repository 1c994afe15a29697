package io.kafkasnap.tools.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The members' timelines of an assembled snapshot, read from its JSON: relative to the trigger, and by phase. */
class SnapshotTimelineTest {

    private static SnapshotView view(String processes) {
        return SnapshotView.parse(("{\"v\":1,\"snapshot\":42,\"status\":\"complete\",\"triggeredAt\":1000,"
                + "\"completedAt\":1020,\"members\":[\"a\",\"b\"],\"processes\":{" + processes + "},"
                + "\"channels\":{},\"consistency\":{\"checked\":true,\"violations\":[]}}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static final String A = "\"a\":{\"state\":{},\"recordedAt\":1003,\"timeline\":{\"startedBy\":\"trigger\","
            + "\"triggerSeen\":1002,\"captured\":1003,\"markersAcked\":1009,\"lastMarkerIn\":1007,"
            + "\"stateReadOut\":1010,\"published\":1012}}";
    private static final String B = "\"b\":{\"state\":{},\"recordedAt\":1006,\"timeline\":{\"startedBy\":\"marker\","
            + "\"triggerSeen\":1005,\"captured\":1006,\"markersAcked\":1008,\"lastMarkerIn\":1015,"
            + "\"stateReadOut\":1016,\"published\":1017}}";

    @Test
    void pointsAreInMillisecondsAfterTheTriggerRecord() {
        SnapshotTimeline timeline = SnapshotTimeline.of(view(A + "," + B)).orElseThrow();

        assertThat(timeline.members().get("a").points()).containsExactly(
                java.util.Map.entry("triggerSeen", 2L), java.util.Map.entry("captured", 3L),
                java.util.Map.entry("markersAcked", 9L), java.util.Map.entry("lastMarkerIn", 7L),
                java.util.Map.entry("stateReadOut", 10L), java.util.Map.entry("published", 12L));
        assertThat(timeline.fragmentsIn()).isEqualTo(20);
        assertThat(timeline.lines()).containsExactly(
                "a  by trigger  seen +2  captured +3  acked +9  last in +7  read out +10  published +12",
                "b  by marker   seen +5  captured +6  acked +8  last in +15  read out +16  published +17");
    }

    @Test
    void phasesRunFromTheLastMemberAtOnePointToTheLastAtTheNextAndAddUpToTheWhole() {
        SnapshotTimeline timeline = SnapshotTimeline.of(view(A + "," + B)).orElseThrow();

        var phases = timeline.phases(OptionalLong.of(26));

        assertThat(phases.keySet()).containsExactlyElementsOf(SnapshotTimeline.PHASES);
        assertThat(phases.values()).containsExactly(5L, 1L, 9L, 1L, 1L, 3L, 6L);
        assertThat(phases.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(26);
        assertThat(timeline.phases(OptionalLong.empty())).doesNotContainKey(SnapshotTimeline.PHASES.get(6));
    }

    @Test
    void aSnapshotWithAMemberWithoutTimelineHasNone() {
        assertThat(SnapshotTimeline.of(view(A + ",\"b\":{\"state\":{},\"recordedAt\":1006}"))).isEmpty();
        assertThat(SnapshotTimeline.of(view(""))).isEmpty();
    }
}
