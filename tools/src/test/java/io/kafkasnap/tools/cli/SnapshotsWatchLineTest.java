package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.tools.common.SnapshotView;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@code snapshots watch} and {@code show} add to a snapshot: the bench's figure, the members' timelines. */
class SnapshotsWatchLineTest {

    private static final SnapshotView VIEW = SnapshotView.parse(("{\"v\":1,\"snapshot\":42,\"status\":\"complete\","
            + "\"triggeredAt\":5000,\"completedAt\":5020,\"members\":[\"a\"],\"processes\":{\"a\":{\"state\":{},"
            + "\"recordedAt\":5003,\"timeline\":{\"startedBy\":\"trigger\",\"triggerSeen\":5002,\"captured\":5003,"
            + "\"markersAcked\":5009,\"lastMarkerIn\":5003,\"stateReadOut\":5010,\"published\":5012}}},"
            + "\"channels\":{},\"consistency\":{\"checked\":true,\"violations\":[]}}").getBytes(StandardCharsets.UTF_8));

    @Test
    void aSnapshotTriggeredSinceTheWatchBeganEndsWithTriggerToAssembledAndChecked() {
        assertThat(SnapshotsCommand.watchLine(VIEW, 5031, 4000))
                .startsWith("snapshot 42 ").endsWith(" | trigger -> assembled+checked 31 ms");
    }

    @Test
    void anOlderOneReadWhileCatchingUpHasNoFigure() {
        assertThat(SnapshotsCommand.watchLine(VIEW, 9000, 6000)).doesNotContain("assembled+checked")
                .isEqualTo(SnapshotsCommand.line(VIEW));
    }

    @Test
    void showPrintsEachMembersTimelineAfterTheTrigger() {
        assertThat(SnapshotsCommand.timelineLines(VIEW)).containsExactly(
                "  timeline, ms after the trigger record (last fragment record at +20):",
                "    a  by trigger  seen +2  captured +3  acked +9  last in +3  read out +10  published +12");
    }
}
