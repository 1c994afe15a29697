package io.kafkasnap.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.Samples;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What the history answers about triggers, however many it has read, checked against the records themselves. */
class ControlHistoryTest {

    private final ControlHistory history = new ControlHistory();
    private long offset;

    private long next(ControlRecord record, long timestamp) {
        history.accept(offset, timestamp, record);
        return offset++;
    }

    @Test
    void everyTriggerKeepsTheMembershipItSawAndItsTimestampAcrossManyTriggersAndChanges() {
        long seed = 20261206L;
        Random random = new Random(seed);
        TreeMap<Long, Set<String>> expected = new TreeMap<>();
        TreeMap<Long, Long> times = new TreeMap<>();
        Set<String> current = new TreeSet<>();
        for (int i = 0; i < 20_000; i++) {
            int kind = random.nextInt(100);
            String process = "p" + random.nextInt(8);
            if (kind < 3) {
                next(Samples.join(process, List.of(), List.of()), i);
                current.add(process);
            } else if (kind < 5) {
                next(new ControlRecord.Leave(process), i);
                current.remove(process);
            } else {
                long at = 1_000 + random.nextInt(1_000_000); // timestamps need not grow with offsets
                long snapshot = next(ControlRecord.Trigger.anyMember(), at);
                expected.put(snapshot, Set.copyOf(current));
                times.put(snapshot, at);
            }
        }

        expected.forEach((snapshot, members) -> assertThat(history.membersOf(snapshot))
                .as("seed %d, snapshot %d", seed, snapshot).hasValue(members));
        assertThat(history.membersOf(expected.firstKey() - 1)).isEmpty();
        assertThat(history.membersOf(offset)).isEmpty();
        Map<Long, Set<String>> since = history.snapshotsSince(500_000);
        TreeMap<Long, Set<String>> expectedSince = new TreeMap<>();
        times.forEach((snapshot, at) -> {
            if (at >= 500_000) {
                expectedSince.put(snapshot, expected.get(snapshot));
            }
        });
        assertThat(since).as("seed %d", seed).isEqualTo(expectedSince);
    }

    @Test
    void aRestoreToAnOldSnapshotIsJudgedByTheMembersOfThatSnapshotAndCarriesItsTriggerWhole() {
        next(Samples.join("a", List.of(), List.of("a.b")), 1);
        next(Samples.join("b", List.of("a.b"), List.of()), 2);
        long old = next(new ControlRecord.Trigger(Optional.of("a")), 3);
        for (int i = 0; i < 1_000; i++) {
            next(ControlRecord.Trigger.anyMember(), 4 + i);
        }
        next(Samples.join("c", List.of(), List.of()), 2_000);
        long epoch = next(new ControlRecord.Restore(old, false, Map.of()), 2_001);

        ControlHistory.RestoreVerdict verdict = history.restoreAt(epoch).orElseThrow();
        assertThat(verdict.members()).containsExactly("a", "b");
        assertThat(verdict.newMembers()).containsExactly("c");
        assertThat(verdict.counts()).isFalse();
        ControlHistory.RestoreControl control = history.restoreControl(epoch).orElseThrow();
        assertThat(control.start().snapshot()).isEqualTo(old);
        assertThat(control.start().triggeredAt()).isEqualTo(3);
        assertThat(control.start().initiator()).hasValue("a");
        assertThat(control.start().members().keySet()).containsExactly("a", "b");
        assertThat(control.start().members().get("b").in()).containsExactly("a.b");
    }
}
