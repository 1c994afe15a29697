package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.protocol.LocalSnapshot.ChannelCut;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A runtime may answer the core from inside a Controller call: read a small state out at once, or send a marker
 * synchronously and ack its offset before {@code sendMarkers} returns. The exhaustive checker found that a
 * recording started by a marker then lost those answers and never completed.
 */
class ReentrantControllerTest {

    @Test
    void answersGivenInsideTheControllerCallsAreKeptWhenAMarkerStartsTheRecording() {
        AnswersAtOnce controller = new AnswersAtOnce();
        SnapshotProtocol q = new SnapshotProtocol("q", Map.of("a", 10L, "b", 20L), Set.of("out"), 5, controller);
        controller.protocol = q;

        q.onMarker("a", 10, 7);
        q.onMarker("b", 20, 7);

        assertThat(controller.log.fragments).containsExactly(new LocalSnapshot(7,
                Map.of("a", new ChannelCut(10, 10), "b", new ChannelCut(20, 20)), Map.of("out", 40L)));
        assertThat(controller.log.rejections).isEmpty();
        assertThat(q.inFlight()).isEmpty();
    }

    @Test
    void answersGivenInsideTheControllerCallsCompleteATriggeredRecording() {
        AnswersAtOnce controller = new AnswersAtOnce();
        SnapshotProtocol lonely = new SnapshotProtocol("solo", Map.of(), Set.of("out"), 0, controller);
        controller.protocol = lonely;

        lonely.onTrigger(3, null);

        assertThat(controller.log.fragments).containsExactly(new LocalSnapshot(3, Map.of(), Map.of("out", 40L)));
    }

    /** Reads the state out inside recordLocalState and acks every marker at offset 40 inside sendMarkers. */
    private static final class AnswersAtOnce implements Controller {
        final CallLog log = new CallLog();
        SnapshotProtocol protocol;

        @Override
        public void recordLocalState(long snapshot) {
            log.recordLocalState(snapshot);
            protocol.onLocalStateRecorded(snapshot);
        }

        @Override
        public void sendMarkers(long snapshot) {
            log.sendMarkers(snapshot);
            protocol.onMarkerSent(snapshot, "out", 40);
        }

        @Override
        public void recordChannelRecord(long snapshot, String channel, long offset) {
            log.recordChannelRecord(snapshot, channel, offset);
        }

        @Override
        public void fragmentComplete(LocalSnapshot snapshot) {
            log.fragmentComplete(snapshot);
        }

        @Override
        public void rejected(Rejection reason, String detail) {
            log.rejected(reason, detail);
        }
    }
}
