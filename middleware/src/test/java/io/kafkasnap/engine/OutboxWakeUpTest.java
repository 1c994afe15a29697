package io.kafkasnap.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.store.InMemoryNodeStore;
import io.kafkasnap.store.OutboxEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When an acknowledgement is worth waking the event loop for, and that a step that moved nothing writes nothing. */
class OutboxWakeUpTest {

    private final InMemoryNodeStore store = new InMemoryNodeStore();
    private final List<long[]> sent = new ArrayList<>();
    private final List<Long> markersAcknowledged = new ArrayList<>();
    private final Outbox outbox = new Outbox("p", (entry, attempt) -> sent.add(new long[] {entry.id(), attempt}),
            new Outbox.Events() {
                @Override
                public void markerAcknowledged(long snapshot, String channel, long offset) {
                    markersAcknowledged.add(snapshot);
                }

                @Override
                public void permanentFailure(String channel, Exception cause) {
                    throw new AssertionError(cause);
                }
            }, 10, false);

    private OutboxEntry record(String channel) {
        return store.appendOutbox(channel, null, new byte[] {1}, 0, -1, false);
    }

    private OutboxEntry marker(String channel, long snapshot) {
        return store.appendOutbox(channel, null, new byte[0], 0, snapshot, false);
    }

    private void acknowledge(int index) {
        long[] send = sent.get(index);
        outbox.onAcknowledged(send[0], send[1], index);
    }

    @Test
    void appRecordsInFlightBelowHalfTheOutboxDoNotAwaitTheirAcknowledgements() {
        outbox.send(List.of(record("a"), record("b"), record("a"), record("b")));

        assertThat(outbox.awaitsAcknowledgements()).isFalse();
    }

    @Test
    void halfAFullOutboxAwaitsAcknowledgementsForTheRoomTheyFree() {
        outbox.send(List.of(record("a"), record("a"), record("a"), record("a"), record("a")));
        assertThat(outbox.awaitsAcknowledgements()).isTrue();

        acknowledge(0);

        assertThat(outbox.depth()).isEqualTo(4);
        assertThat(outbox.awaitsAcknowledgements()).isFalse();
    }

    @Test
    void aMarkerInFlightAwaitsAcknowledgementsUntilItLeavesTheAcknowledgedPrefix() {
        outbox.send(List.of(record("a"), marker("a", 7), marker("b", 7)));
        assertThat(outbox.awaitsAcknowledgements()).isTrue();

        acknowledge(1); // the marker on a, behind a record not yet acknowledged: not in the prefix
        acknowledge(2);
        assertThat(markersAcknowledged).containsExactly(7L);
        assertThat(outbox.awaitsAcknowledgements()).isTrue();

        acknowledge(0);
        assertThat(markersAcknowledged).containsExactly(7L, 7L);
        assertThat(outbox.awaitsAcknowledgements()).isFalse();
    }

    @Test
    void aMarkerSentAgainAfterAFailureStillCountsOnceAndTheRestoreDiscardForgetsIt() {
        outbox.send(List.of(marker("a", 3)));
        long[] first = sent.get(0);
        outbox.onFailed(first[0], first[1], new RuntimeException("timed out"), true);
        assertThat(outbox.awaitsAcknowledgements()).isTrue();

        acknowledge(1);
        assertThat(outbox.awaitsAcknowledgements()).isFalse();

        outbox.send(List.of(marker("b", 4)));
        outbox.discardAll();
        assertThat(outbox.awaitsAcknowledgements()).isFalse();
    }

    @Test
    void positionsAndTheControlPositionAreWrittenOnlyWhenTheyMoved() {
        PositionWrites writes = new PositionWrites();
        writes.writeInputs(store, Map.of("a", 5L, "b", 9L));
        writes.writeControl(store, 12);
        store.commit();
        assertThat(store.positions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 5L, "b", 9L));

        writes.writeInputs(store, Map.of("a", 5L, "b", 9L));
        writes.writeControl(store, 12);
        assertThat(store.hasPendingChanges()).isFalse();

        writes.writeInputs(store, Map.of("a", 6L, "b", 9L));
        writes.writeControl(store, 13);
        assertThat(store.hasPendingChanges()).isTrue();
        store.commit();
        assertThat(store.positions()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 6L, "b", 9L));
        assertThat(store.controlPosition()).hasValue(13);
    }
}
