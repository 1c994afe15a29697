package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkasnap.protocol.LocalSnapshot.ChannelCut;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Process "q" with incoming channels a (at offset 10) and b (at offset 20), and outgoing channel out.
 */
class SnapshotProtocolTest {

    private final CallLog log = new CallLog();
    private SnapshotProtocol q;

    @BeforeEach
    void setUp() {
        q = new SnapshotProtocol("q", Map.of("a", 10L, "b", 20L), Set.of("out"), 5, log);
    }

    private void finish(long snapshot, long outMarkerOffset) {
        q.onMarkerSent(snapshot, "out", outMarkerOffset);
        q.onLocalStateRecorded(snapshot);
    }

    @Nested
    class RecordingStarts {

        @Test
        void aTriggerWithoutInitiatorRecordsStateThenSendsMarkers() {
            q.onTrigger(7, null);

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7");
            assertThat(q.inFlight()).containsExactly(7L);
        }

        @Test
        void aTriggerNamingThisProcessStartsIt() {
            q.onTrigger(7, "q");

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7");
        }

        @Test
        void aTriggerNamingAnotherProcessWaitsForAMarker() {
            q.onTrigger(7, "p");

            assertThat(log.drain()).isEmpty();
            assertThat(q.inFlight()).isEmpty();
        }

        @Test
        void theFirstMarkerStartsItAndItsChannelIsEmpty() {
            q.onAppRecord("a", 10);
            q.onMarker("a", 11, 7);
            q.onAppRecord("b", 20);
            q.onMarker("b", 21, 7);
            finish(7, 40);

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7", "record 7 b@20",
                    "fragmentComplete 7");
            assertThat(log.fragments).containsExactly(new LocalSnapshot(7,
                    Map.of("a", new ChannelCut(11, 11), "b", new ChannelCut(20, 21)), Map.of("out", 40L)));
        }

        @Test
        void snapshotsBeforeThisProcessJoinedAreNotItsBusiness() {
            q.onTrigger(4, null);
            q.onMarker("a", 10, 4);

            assertThat(log.drain()).containsExactly("rejected NOT_A_MEMBER");
            assertThat(q.inFlight()).isEmpty();
            assertThat(q.positions()).containsEntry("a", 11L);
        }
    }

    @Nested
    class ChannelState {

        @Test
        void recordsBetweenRecordingAndMarkerAreTheChannelState() {
            q.onTrigger(7, null);
            q.onAppRecord("a", 10);
            q.onAppRecord("a", 11);
            q.onMarker("a", 12, 7);
            q.onAppRecord("a", 13);
            q.onMarker("b", 20, 7);
            finish(7, 3);

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7", "record 7 a@10",
                    "record 7 a@11", "fragmentComplete 7");
            assertThat(log.fragments.get(0).in()).isEqualTo(
                    Map.of("a", new ChannelCut(10, 12), "b", new ChannelCut(20, 20)));
        }

        @Test
        void recordsProcessedBeforeRecordingAreInTheStateNotTheChannel() {
            q.onAppRecord("a", 10);
            q.onAppRecord("a", 11);
            q.onTrigger(7, null);
            q.onMarker("a", 12, 7);
            q.onMarker("b", 20, 7);
            finish(7, 3);

            assertThat(log.fragments.get(0).in().get("a")).isEqualTo(new ChannelCut(12, 12));
        }

        @Test
        void positionsFollowEveryRecordAndMarker() {
            q.onAppRecord("a", 10);
            q.onMarker("b", 25, 7);

            assertThat(q.positions()).isEqualTo(Map.of("a", 11L, "b", 26L));
        }

        @Test
        void isRecordingTellsWhichChannelsAreOpen() {
            q.onTrigger(7, null);
            q.onMarker("a", 10, 7);

            assertThat(q.isRecording("a")).isFalse();
            assertThat(q.isRecording("b")).isTrue();
        }
    }

    @Nested
    class Completion {

        @Test
        void waitsForEveryMarkerEveryAckAndTheState() {
            q.onTrigger(7, null);
            q.onMarker("a", 10, 7);
            q.onMarker("b", 20, 7);
            q.onMarkerSent(7, "out", 3);
            assertThat(log.fragments).isEmpty();

            q.onLocalStateRecorded(7);

            assertThat(log.fragments).hasSize(1);
            assertThat(q.inFlight()).isEmpty();
        }

        @Test
        void theStateMayBeReadOutBeforeTheMarkersArrive() {
            q.onTrigger(7, null);
            q.onLocalStateRecorded(7);
            q.onMarkerSent(7, "out", 3);
            q.onMarker("a", 10, 7);
            assertThat(log.fragments).isEmpty();

            q.onMarker("b", 20, 7);

            assertThat(log.fragments).extracting(LocalSnapshot::snapshot).containsExactly(7L);
        }

        @Test
        void aProcessWithoutChannelsCompletesOnItsState() {
            SnapshotProtocol lonely = new SnapshotProtocol("solo", Map.of(), Set.of(), 0, log);

            lonely.onTrigger(3, null);
            lonely.onLocalStateRecorded(3);

            assertThat(log.fragments).containsExactly(new LocalSnapshot(3, Map.of(), Map.of()));
        }
    }

    @Nested
    class SeveralInitiatorsOfOneSnapshot {

        @Test
        void aTriggerAfterTheFirstMarkerDoesNotRecordAgain() {
            q.onMarker("a", 10, 7);
            q.onTrigger(7, null);

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7");
        }

        @Test
        void aMarkerAfterTheTriggerJoinsTheSameRecording() {
            q.onTrigger(7, null);
            q.onMarker("a", 10, 7);

            assertThat(log.drain()).containsExactly("recordLocalState 7", "sendMarkers 7");
            assertThat(q.inFlight()).containsExactly(7L);
        }

        @Test
        void aTriggerReadAfterTheSnapshotFinishedIsIgnored() {
            q.onMarker("a", 10, 7);
            q.onMarker("b", 20, 7);
            finish(7, 3);
            log.drain();

            q.onTrigger(7, null);

            assertThat(log.drain()).isEmpty();
        }
    }

    @Nested
    class TwoSnapshotsInFlight {

        @Test
        void eachKeepsItsOwnChannelState() {
            q.onTrigger(7, null);
            q.onAppRecord("a", 10);
            q.onTrigger(8, null);
            q.onAppRecord("a", 11);
            q.onMarker("a", 12, 7);
            q.onAppRecord("a", 13);
            q.onMarker("a", 14, 8);
            q.onMarker("b", 20, 8);
            q.onMarker("b", 21, 7);
            finish(8, 31);
            finish(7, 30);

            assertThat(log.calls).containsSubsequence("record 7 a@10", "record 7 a@11", "record 8 a@11",
                    "record 8 a@13", "fragmentComplete 8", "fragmentComplete 7");
            assertThat(log.calls).doesNotContain("record 8 a@10", "record 7 a@13");
            assertThat(log.fragments).containsExactly(
                    new LocalSnapshot(8, Map.of("a", new ChannelCut(11, 14), "b", new ChannelCut(20, 20)),
                            Map.of("out", 31L)),
                    new LocalSnapshot(7, Map.of("a", new ChannelCut(10, 12), "b", new ChannelCut(20, 21)),
                            Map.of("out", 30L)));
        }
    }

    @Nested
    class BadInput {

        @Test
        void aSecondMarkerOnOneChannelIsRejectedAndChangesNothing() {
            q.onTrigger(7, null);
            q.onMarker("a", 10, 7);
            log.drain();

            q.onMarker("a", 11, 7);

            assertThat(log.drain()).containsExactly("rejected DUPLICATE_MARKER");
            assertThat(q.positions()).containsEntry("a", 12L);
        }

        @Test
        void aMarkerOfAFinishedSnapshotIsRejected() {
            q.onMarker("a", 10, 7);
            q.onMarker("b", 20, 7);
            finish(7, 3);
            log.drain();

            q.onMarker("a", 11, 7);

            assertThat(log.drain()).containsExactly("rejected DUPLICATE_MARKER");
            assertThat(q.inFlight()).isEmpty();
        }

        @Test
        void aMarkerOrRecordOnAnUnknownChannelIsRejected() {
            q.onMarker("zzz", 1, 7);
            q.onAppRecord("zzz", 2);

            assertThat(log.drain()).containsExactly("rejected UNKNOWN_CHANNEL", "rejected UNKNOWN_CHANNEL");
            assertThat(q.positions()).doesNotContainKey("zzz");
        }

        @Test
        void acksForSnapshotsNotRecordingAreRejected() {
            q.onMarkerSent(9, "out", 1);
            q.onLocalStateRecorded(9);
            q.onTrigger(7, null);
            q.onMarkerSent(7, "elsewhere", 1);

            assertThat(log.rejections).containsExactly(Rejection.UNEXPECTED_ACK, Rejection.UNEXPECTED_ACK,
                    Rejection.UNEXPECTED_ACK);
        }

        @Test
        void aChannelCutCannotEndBeforeItBegins() {
            assertThatThrownBy(() -> new ChannelCut(5, 4)).hasMessageContaining("recordedFrom 5 is after");
        }
    }

    @Nested
    class WaitingForMarkersBeforeCapturing {

        @BeforeEach
        void aligning() {
            log.align = true;
        }

        @Test
        void aNodeThatWaitsForEveryMarkerRecordsNoChannelStateAndHoldsEachChannelUntilItCaptures() {
            q.onTrigger(7, null);
            q.onAppRecord("a", 10);
            q.onMarker("a", 11, 7);
            q.onAppRecord("b", 20);
            q.onMarker("b", 21, 7);
            finish(7, 40);

            assertThat(log.drain()).containsExactly("alignFirst 7 [a, b]", "hold a", "recordLocalState 7",
                    "sendMarkers 7", "release a", "fragmentComplete 7");
            assertThat(log.fragments).containsExactly(new LocalSnapshot(7,
                    Map.of("a", new ChannelCut(11, 11), "b", new ChannelCut(21, 21)), Map.of("out", 40L)));
        }

        @Test
        void capturingBeforeTheLastMarkerRecordsTheOpenChannelsFromThen() {
            q.onMarker("a", 10, 7);
            q.onAppRecord("b", 20);
            assertThat(q.captureNow(7)).isTrue();
            q.onAppRecord("b", 21);
            q.onMarker("b", 22, 7);
            finish(7, 40);

            assertThat(log.drain()).containsExactly("alignFirst 7 [b]", "hold a", "recordLocalState 7",
                    "sendMarkers 7", "release a", "record 7 b@21", "fragmentComplete 7");
            assertThat(log.fragments).containsExactly(new LocalSnapshot(7,
                    Map.of("a", new ChannelCut(10, 10), "b", new ChannelCut(21, 22)), Map.of("out", 40L)));
        }

        @Test
        void anAbortWhileWaitingLetsTheHeldChannelGoAndForgetsTheSnapshot() {
            q.onTrigger(7, null);
            q.onMarker("a", 10, 7);
            assertThat(q.isHeld("a")).isTrue();

            assertThat(q.abort(7)).isTrue();

            assertThat(log.drain()).containsExactly("alignFirst 7 [a, b]", "hold a", "release a");
            assertThat(q.isHeld("a")).isFalse();
            assertThat(q.inFlight()).isEmpty();
            assertThat(q.captureNow(7)).isFalse();
        }

        @Test
        void membershipReadLaterCanEndTheWait() {
            q.onMarker("a", 10, 7);
            q.onTrigger(7, null, Set.of("a"));
            finish(7, 40);

            assertThat(log.drain()).containsExactly("alignFirst 7 [b]", "hold a", "recordLocalState 7",
                    "sendMarkers 7", "release a", "fragmentComplete 7");
            assertThat(log.fragments).containsExactly(new LocalSnapshot(7, Map.of("a", new ChannelCut(10, 10)),
                    Map.of("out", 40L)));
        }

        @Test
        void snapshotsWaitingCountAgainstTheMostInFlight() {
            SnapshotProtocol one = new SnapshotProtocol("q", Map.of("a", 10L, "b", 20L), Set.of("out"), 5, 1, log);
            one.onTrigger(7, null);
            one.onTrigger(8, null);

            assertThat(log.drain()).containsExactly("alignFirst 7 [a, b]", "abort 8 TOO_MANY_CONCURRENT");
        }
    }
}
