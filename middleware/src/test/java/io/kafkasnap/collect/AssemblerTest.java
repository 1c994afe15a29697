package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.format.ControlRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Two members a → b over "a.b", without channel traffic: only the marker at offset 0. */
class AssemblerTest {

    private static final long S = 10;
    private static final long TRIGGERED_AT = 1_000;
    private final InMemoryChannelLog log = new InMemoryChannelLog();
    private final Assembler assembler = new Assembler(new ConsistencyChecker(log), Duration.ofSeconds(30));
    private final Map<String, ControlRecord.Join> members = Map.of(
            "a", Samples.join("a", List.of(), List.of("a.b")),
            "b", Samples.join("b", List.of("a.b"), List.of()));
    private long collectionOffset;

    AssemblerTest() {
        log.marker("a.b");
    }

    private Fragment fragmentA() {
        return new Fragment(S, "a", 1_100, Map.of("n", Samples.json("1")), Map.of(), Map.of("a.b", new Fragment.OutChannel(0)));
    }

    private Fragment fragmentB() {
        return new Fragment(S, "b", 1_200, Map.of(), Map.of("a.b", new Fragment.InChannel(0, 0, List.of())), Map.of());
    }

    private void publish(Fragment fragment, long timestamp) {
        publish(Chunks.chunks("f", fragment, 64), timestamp);
    }

    private void publish(List<ProducerRecord<byte[], byte[]>> records, long timestamp) {
        List<ConsumerRecord<byte[], byte[]>> consumed = Samples.consumed(records, collectionOffset, timestamp);
        collectionOffset += consumed.size();
        consumed.forEach(assembler::onFragmentRecord);
    }

    @Test
    void completeOnceEveryMembersFragmentArrived() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        assertThat(assembler.ready(S + 1)).isEmpty();
        publish(fragmentB(), 1_700);
        List<GlobalSnapshot> ready = assembler.ready(S + 1);
        assertThat(ready).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.COMPLETE);
            assertThat(snapshot.triggeredAt()).isEqualTo(TRIGGERED_AT);
            assertThat(snapshot.completedAt()).isEqualTo(1_700);
            assertThat(snapshot.members()).containsExactly("a", "b");
            assertThat(snapshot.processes().keySet()).containsExactly("a", "b");
            assertThat(snapshot.channels().get("a.b")).isEqualTo(new GlobalSnapshot.ChannelState("a", "b", 0, 0, List.of()));
            assertThat(snapshot.isConsistent()).isTrue();
        });
        assertThat(assembler.ready(S + 1)).isEmpty();
    }

    @Test
    void fragmentsThatArriveBeforeTheirTriggerWait() {
        publish(fragmentA(), 1_500);
        publish(fragmentB(), 1_700);
        assertThat(assembler.ready(S)).isEmpty();
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        assertThat(assembler.ready(S + 1)).extracting(GlobalSnapshot::status).containsExactly(Status.COMPLETE);
    }

    @Test
    void fragmentsForAnOffsetThatIsNoTriggerAreDropped() {
        publish(fragmentA(), 1_500);
        assertThat(assembler.ready(S + 1)).isEmpty();
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentB(), 1_700);
        assertThat(assembler.ready(S + 2)).isEmpty();
        assertThat(assembler.expire(TRIGGERED_AT + 30_000)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(snapshot.missingMembers()).containsExactly("a");
        });
    }

    @Test
    void incompleteWhenAFragmentIsUnusable() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        List<ProducerRecord<byte[], byte[]>> chunks = new ArrayList<>(Chunks.chunks("f", fragmentB(), 64));
        chunks.get(1).value()[0] ^= 1;
        publish(chunks, 1_800);
        assertThat(assembler.ready(S + 1)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.INCOMPLETE);
            assertThat(snapshot.processes().keySet()).containsExactly("a");
            assertThat(snapshot.missingMembers()).containsExactly("b");
            assertThat(snapshot.completedAt()).isEqualTo(1_800);
        });
    }

    @Test
    void timedOutWhenAFragmentNeverArrives() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        publish(Chunks.chunks("f", fragmentB(), 64).subList(0, 2), 1_600);
        assertThat(assembler.ready(S + 1)).isEmpty();
        assertThat(assembler.hasOverdue(TRIGGERED_AT + 29_999)).isFalse();
        assertThat(assembler.expire(TRIGGERED_AT + 29_999)).isEmpty();
        assertThat(assembler.hasOverdue(TRIGGERED_AT + 30_000)).isTrue();
        assertThat(assembler.expire(TRIGGERED_AT + 30_000)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.TIMED_OUT);
            assertThat(snapshot.completedAt()).isEqualTo(TRIGGERED_AT + 30_000);
            assertThat(snapshot.processes().keySet()).containsExactly("a");
        });
        publish(fragmentB(), 40_000);
        assertThat(assembler.ready(S + 1)).as("a late fragment changes nothing").isEmpty();
    }

    @Test
    void anInitiatorThatIsNotAMemberDoesNotMakeItWait() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.of("ghost"), members));
        assertThat(assembler.ready(S + 1)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("initiator-not-a-member");
            assertThat(snapshot.detail()).contains("ghost");
            assertThat(snapshot.completedAt()).isEqualTo(TRIGGERED_AT);
            assertThat(snapshot.missingMembers()).containsExactly("a", "b");
        });
    }

    @Test
    void aSnapshotWithoutMembersFailsAtOnceAndIsNotComplete() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), Map.of()));
        assertThat(assembler.ready(S + 1)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("no-members");
            assertThat(snapshot.isComplete()).isFalse();
        });
    }

    @Test
    void anAbortByAMemberFailsTheSnapshotWithItsReasonAndMember() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        assertThat(assembler.inProgress(1_600)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.IN_PROGRESS);
            assertThat(snapshot.processes().keySet()).containsExactly("a");
            assertThat(snapshot.detail()).contains("[b]");
        });
        assembler.onAbort(new ControlRecord.Abort(S, "b", "restarted-during-snapshot", "b lost its capture"));
        assertThat(assembler.ready(S + 1)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("restarted-during-snapshot");
            assertThat(snapshot.detail()).contains("aborted by b", "b lost its capture");
            assertThat(GlobalSnapshot.fromJson(snapshot.toJson(false))).isEqualTo(snapshot);
        });
        publish(fragmentB(), 1_700);
        assertThat(assembler.ready(S + 1)).as("a fragment after the abort changes nothing").isEmpty();
        assertThat(assembler.inProgress(1_800)).isEmpty();
    }

    @Test
    void anAbortAfterEveryFragmentArrivedLeavesTheSnapshotComplete() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        publish(fragmentB(), 1_700);
        assembler.onAbort(new ControlRecord.Abort(S, "b", "restarted-during-snapshot", "published, then restarted"));
        assertThat(assembler.ready(S + 1)).extracting(GlobalSnapshot::status).containsExactly(Status.COMPLETE);
    }

    @Test
    void anAbortReadBeforeAFragmentWrittenBeforeItWaitsForThatFragmentAndTheSnapshotIsComplete() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        // b's fragment was written before the abort, so it lies below the collection end read with the abort.
        long endAtAbort = collectionOffset + Chunks.chunks("f", fragmentB(), 64).size();
        assembler.onAbort(new ControlRecord.Abort(S, "b", "restarted-during-snapshot", "published, then restarted"),
                endAtAbort);
        assertThat(assembler.ready(S + 1, collectionOffset))
                .as("not judged before the collection topic is read up to where it ended at the abort").isEmpty();
        publish(fragmentB(), 1_700);
        assertThat(assembler.ready(S + 1, collectionOffset)).extracting(GlobalSnapshot::status)
                .containsExactly(Status.COMPLETE);
    }

    @Test
    void anAbortReadAfterEveryFragmentLeavesTheSnapshotCompleteForAReaderOfBothTopics() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        publish(fragmentB(), 1_700);
        assembler.onAbort(new ControlRecord.Abort(S, "b", "restarted-during-snapshot", "published, then restarted"),
                collectionOffset);
        assertThat(assembler.ready(S + 1, collectionOffset)).extracting(GlobalSnapshot::status)
                .containsExactly(Status.COMPLETE);
    }

    @Test
    void anAbortFailsTheSnapshotOnceTheCollectionTopicIsReadToWhereItEndedAndAFragmentIsStillMissing() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(), 1_500);
        long endAtAbort = collectionOffset + 2; // two records of other snapshots, not yet read
        assembler.onAbort(new ControlRecord.Abort(S, "b", "restarted-during-snapshot", "b lost its capture"),
                endAtAbort);
        assertThat(assembler.ready(S + 1, collectionOffset)).isEmpty();
        assertThat(assembler.ready(S + 1, endAtAbort)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.status()).isEqualTo(Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("restarted-during-snapshot");
        });
    }

    @Test
    void anAbortOfAnotherSnapshotLeavesThisOneAlone() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), members));
        assembler.onAbort(new ControlRecord.Abort(S + 7, "b", "timed-out", ""));
        publish(fragmentA(), 1_500);
        publish(fragmentB(), 1_700);
        assertThat(assembler.ready(S + 1)).extracting(GlobalSnapshot::status).containsExactly(Status.COMPLETE);
    }

    @Test
    void fragmentsOfNonMembersAreIgnored() {
        assembler.onSnapshotStart(Samples.start(S, TRIGGERED_AT, Optional.empty(), Map.of("b", members.get("b"))));
        publish(fragmentA(), 1_500);
        assertThat(assembler.ready(S + 1)).isEmpty();
        publish(fragmentB(), 1_600);
        assertThat(assembler.ready(S + 1)).singleElement().satisfies(snapshot -> {
            assertThat(snapshot.processes().keySet()).containsExactly("b");
            assertThat(snapshot.channels().get("a.b").from()).isNull();
        });
    }

    private Fragment fragmentA(long snapshot) {
        return new Fragment(snapshot, "a", 1_100, Map.of("n", Samples.json("1")), Map.of(),
                Map.of("a.b", new Fragment.OutChannel(0)));
    }

    private Fragment fragmentB(long snapshot) {
        return new Fragment(snapshot, "b", 1_200, Map.of(), Map.of("a.b", new Fragment.InChannel(0, 0, List.of())),
                Map.of());
    }

    private List<GlobalSnapshot> takeSnapshot(long id) {
        assembler.onSnapshotStart(Samples.start(id, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(id), 1_500);
        publish(fragmentB(id), 1_600);
        return assembler.ready(id + 1);
    }

    @Test
    void aSnapshotForgottenBeyondTheBoundStaysFinishedAndIsNotAssembledAgain() {
        assembler.rememberFinished(2);
        for (long id = 1; id <= 3; id++) {
            assertThat(takeSnapshot(id)).extracting(GlobalSnapshot::status).containsExactly(Status.COMPLETE);
        }
        // Snapshot 1 is no longer remembered by status, but it is still known to be finished.
        assertThat(assembler.knows(1)).isTrue();
        assertThat(assembler.isSettled(1)).isTrue();
        assembler.onSnapshotStart(Samples.start(1, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(1), 1_700);
        publish(fragmentB(1), 1_800);
        assertThat(assembler.ready(4)).isEmpty();
        assertThat(assembler.inProgress(2_000)).isEmpty();
        assertThat(assembler.hasOverdue(Long.MAX_VALUE)).isFalse();
        // A later snapshot is assembled as ever.
        assertThat(takeSnapshot(4)).extracting(GlobalSnapshot::snapshot).containsExactly(4L);
    }

    @Test
    void aSnapshotBelowTheBoundThatIsStillPendingIsAssembledWhenItsFragmentsArrive() {
        assembler.rememberFinished(1);
        assembler.onSnapshotStart(Samples.start(1, TRIGGERED_AT, Optional.empty(), members));
        publish(fragmentA(1), 1_500);
        assertThat(takeSnapshot(2)).extracting(GlobalSnapshot::snapshot).containsExactly(2L);
        assertThat(takeSnapshot(3)).extracting(GlobalSnapshot::snapshot).containsExactly(3L);
        // 2 was forgotten, which settles everything up to 2 that is not pending; 1 still is.
        assertThat(assembler.isSettled(1)).isFalse();
        publish(fragmentB(1), 1_700);
        assertThat(assembler.ready(4)).extracting(GlobalSnapshot::snapshot, GlobalSnapshot::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, Status.COMPLETE));
    }

    @Test
    void skippedSnapshotsAreNeitherAssembledNorTakenForOrphansAndLaterOnesAre() {
        // A fragment read before its trigger, then the trigger turns out to be one to skip.
        publish(fragmentA(1), 1_500);
        assembler.skipUpTo(1);
        publish(fragmentB(1), 1_600);
        assembler.onSnapshotStart(Samples.start(1, TRIGGERED_AT, Optional.empty(), members));
        assertThat(assembler.ready(2)).isEmpty();
        assertThat(assembler.inProgress(2_000)).isEmpty();
        assertThat(assembler.knows(1)).isTrue();
        assertThat(takeSnapshot(2)).extracting(GlobalSnapshot::snapshot).containsExactly(2L);
    }
}
