package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.tools.common.SnapshotView;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code snapshots diff} on two hand-written snapshot documents. */
class SnapshotDiffTest {

    private static SnapshotView view(String json) {
        return SnapshotView.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void namesChangedAddedAndRemovedKeysPerProcessAndInFlightCountsPerChannel() {
        SnapshotView a = view("""
                {"v":1,"snapshot":3,"status":"complete","members":["p","q"],
                 "processes":{"p":{"state":{"balance":10,"gone":"x"}},"q":{"state":{"n":1}}},
                 "channels":{"p.q":{"from":"p","to":"q","messages":[{"offset":1,"value":{"amount":5}}]}}}""");
        SnapshotView b = view("""
                {"v":1,"snapshot":7,"status":"complete","members":["p","q"],
                 "processes":{"p":{"state":{"balance":12,"new":true}},"q":{"state":{"n":1}}},
                 "channels":{"p.q":{"from":"p","to":"q","messages":[]}}}""");

        assertThat(SnapshotDiff.lines(a, b)).containsExactly(
                "snapshot 3 (complete, 1 in flight) -> snapshot 7 (complete, 0 in flight)",
                "  p                    balance: 10 -> 12",
                "                       gone: \"x\" -> (absent)",
                "                       new: (absent) -> true",
                "  q                    unchanged",
                "  p.q                  in flight 1 -> 0");
    }
}
