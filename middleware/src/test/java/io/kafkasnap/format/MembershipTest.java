package io.kafkasnap.format;

import io.kafkasnap.collect.Samples;
import io.kafkasnap.format.Membership;

import static io.kafkasnap.collect.Samples.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.format.ControlRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private final Membership membership = new Membership();
    private long offset;

    private Optional<Membership.SnapshotStart> next(ControlRecord record) {
        return membership.accept(offset++, 1000 + offset, record.toJson());
    }

    private Optional<Membership.SnapshotStart> next(String raw) {
        return membership.accept(offset++, 1000 + offset, utf8(raw));
    }

    @Test
    void membersAreThoseJoinedAndNotLeftBeforeTheTrigger() {
        next(Samples.join("a", List.of(), List.of("a.b")));
        next(Samples.join("b", List.of("a.b"), List.of()));
        Membership.SnapshotStart first = next(ControlRecord.Trigger.anyMember()).orElseThrow();
        assertThat(first.snapshot()).isEqualTo(2);
        assertThat(first.triggeredAt()).isEqualTo(1003);
        assertThat(first.members().keySet()).containsExactly("a", "b");

        next(new ControlRecord.Leave("a"));
        next(Samples.join("c", List.of(), List.of()));
        Membership.SnapshotStart second = next(new ControlRecord.Trigger(Optional.of("b"))).orElseThrow();
        assertThat(second.snapshot()).isEqualTo(5);
        assertThat(second.members().keySet()).containsExactly("b", "c");
        assertThat(second.initiatorIsNotAMember()).isFalse();
        assertThat(first.members().keySet()).as("earlier snapshots keep their members").containsExactly("a", "b");
    }

    @Test
    void aRejoinCountsAnewWithItsLatestChannels() {
        next(Samples.join("a", List.of("x"), List.of()));
        next(new ControlRecord.Leave("a"));
        next(Samples.join("a", List.of("y"), List.of("z")));
        Membership.SnapshotStart start = next(ControlRecord.Trigger.anyMember()).orElseThrow();
        assertThat(start.members().get("a")).isEqualTo(Samples.join("a", List.of("y"), List.of("z")));

        next(Samples.join("a", List.of("w"), List.of()));
        assertThat(next(ControlRecord.Trigger.anyMember()).orElseThrow().members().get("a").in()).containsExactly("w");
    }

    @Test
    void malformedAndUnknownRecordsAreSkipped() {
        next(Samples.join("a", List.of(), List.of()));
        assertThat(next("garbage")).isEmpty();
        assertThat(next("{\"v\":1,\"type\":\"rebalance\"}")).isEmpty();
        assertThat(next("{\"v\":2,\"type\":\"snapshot\"}")).isEmpty();
        assertThat(next(new ControlRecord.Restore(0))).isEmpty();
        assertThat(next(new ControlRecord.Leave("never-joined"))).isEmpty();
        Membership.SnapshotStart start = next(ControlRecord.Trigger.anyMember()).orElseThrow();
        assertThat(start.snapshot()).isEqualTo(6);
        assertThat(start.members().keySet()).containsExactly("a");
        assertThat(membership.nextOffset()).isEqualTo(7);
    }

    @Test
    void aTriggerNamingANonMemberIsRecognised() {
        next(Samples.join("a", List.of(), List.of()));
        assertThat(next(new ControlRecord.Trigger(Optional.of("ghost"))).orElseThrow().initiatorIsNotAMember()).isTrue();
    }

    @Test
    void aRedeliveredRecordIsNotAppliedTwice() {
        next(Samples.join("a", List.of(), List.of()));
        assertThat(membership.accept(1, 5, ControlRecord.Trigger.anyMember())).isPresent();
        assertThat(membership.accept(1, 5, ControlRecord.Trigger.anyMember())).isEmpty();
    }
}
