package io.kafkasnap.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.format.ControlRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The restore history from control records fed in offset order, without a broker. */
class RestoreHistoryTest {

    private final RestoreHistory history = new RestoreHistory();
    private long offset;

    private List<RestoreHistory.Restore> feed(long timestamp, ControlRecord record) {
        return history.accept(offset++, timestamp, record);
    }

    private static ControlRecord.Join join(String process) {
        return new ControlRecord.Join(process, List.of(), List.of());
    }

    @Test
    void expectedMembersAreThoseJoinedAndNotLeftAtTheRestoreOffset() {
        feed(1, join("a"));
        feed(2, join("b"));
        feed(3, join("c"));
        feed(4, new ControlRecord.Leave("c"));
        feed(5, ControlRecord.Trigger.anyMember()); // snapshot 4
        long epoch = offset;
        feed(6, new ControlRecord.Restore(4));
        feed(7, join("d"));

        RestoreHistory.Restore restore = history.restore(epoch).orElseThrow();
        assertThat(restore.snapshot()).isEqualTo(4);
        assertThat(restore.writtenAt()).isEqualTo(6);
        assertThat(restore.expected()).containsExactly("a", "b");
        assertThat(restore.missing()).containsExactly("a", "b");
        assertThat(restore.state()).isEqualTo("in-progress");
    }

    @Test
    void aRestoreIsDoneWhenEveryExpectedMemberHasWrittenRestoredAndItsDurationSpansTheirTimestamps() {
        feed(1, join("a"));
        feed(2, join("b"));
        feed(3, ControlRecord.Trigger.anyMember());
        long epoch = offset;
        feed(100, new ControlRecord.Restore(2));

        List<RestoreHistory.Restore> first = feed(130, new ControlRecord.Restored("b", epoch, 2));
        assertThat(first).singleElement().satisfies(r -> {
            assertThat(r.restoredMembers()).containsExactly("b");
            assertThat(r.missing()).containsExactly("a");
            assertThat(r.duration()).isEmpty();
        });
        feed(150, new ControlRecord.Restored("a", epoch, 2));
        // written again by a member killed in the middle of its restore: neither counts twice nor moves the end
        assertThat(feed(400, new ControlRecord.Restored("a", epoch, 2))).isEmpty();

        RestoreHistory.Restore done = history.latest().orElseThrow();
        assertThat(done.isDone()).isTrue();
        assertThat(done.state()).isEqualTo("done");
        assertThat(done.doneAt()).hasValue(150);
        assertThat(done.duration()).contains(Duration.ofMillis(50));
    }

    @Test
    void aLaterRestoreSupersedesAnUnfinishedOneButNotAFinishedOne() {
        feed(1, join("a"));
        feed(2, ControlRecord.Trigger.anyMember());
        long first = offset;
        feed(3, new ControlRecord.Restore(1));
        feed(4, new ControlRecord.Restored("a", first, 1));
        long second = offset;
        feed(5, new ControlRecord.Restore(1));
        long third = offset;
        List<RestoreHistory.Restore> changed = feed(6, new ControlRecord.Restore(1, true));

        assertThat(changed).extracting(RestoreHistory.Restore::epoch).containsExactly(second, third);
        assertThat(history.restore(first).orElseThrow().supersededBy()).isEmpty();
        assertThat(history.restore(second).orElseThrow().supersededBy()).isEqualTo(OptionalLong.of(third));
        assertThat(history.restore(second).orElseThrow().state()).isEqualTo("superseded");
        assertThat(history.latest().orElseThrow().allowNewMembers()).isTrue();
        assertThat(history.restoresTo(1)).extracting(RestoreHistory.Restore::epoch)
                .containsExactly(first, second, third);
        assertThat(history.restoresTo(2)).isEmpty();
    }

    @Test
    void restoredRecordsOfAnUnknownEpochMalformedRecordsAndRecordsReadAgainChangeNothing() {
        feed(1, join("a"));
        feed(2, ControlRecord.Trigger.anyMember());
        long epoch = offset;
        feed(3, new ControlRecord.Restore(1));

        assertThat(feed(4, new ControlRecord.Restored("a", 999, 1))).isEmpty();
        assertThat(history.accept(offset++, 5, "not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(history.accept(epoch, 3, new ControlRecord.Restore(1))).as("the restore record read again")
                .isEmpty();
        assertThat(history.restores()).singleElement().satisfies(r -> assertThat(r.restored()).isEmpty());
        assertThat(history.nextOffset()).isEqualTo(offset);
    }
}
