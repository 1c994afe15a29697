package io.kafkasnap.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store on real RocksDB; the tests taking a kind run on the in-memory store too. */
class NodeStoreTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void readsSeePendingWritesAndCommitMakesThemDurable() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("a", utf8("1"));
            assertThat(text(store.get("a"))).isEqualTo("1");
            store.putPositions(Map.of("in.0", 42L));
            store.commit();
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(text(store.get("a"))).isEqualTo("1");
            assertThat(store.positions()).isEqualTo(Map.of("in.0", 42L));
        }
    }

    @Test
    void whatIsNotCommittedIsLost() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("a", utf8("1"));
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.get("a")).isNull();
        }
    }

    @Test
    void aCaptureIsFrozenWhileTheLiveStateMovesOn() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("a", utf8("1"));
            store.put("b", utf8("2"));
            store.commit();
            try (StateCapture capture = store.capture()) {
                store.put("a", utf8("100"));
                store.delete("b");
                store.put("c", utf8("3"));
                store.commit();

                Map<String, byte[]> frozen = capture.readAll();

                assertThat(frozen.keySet()).containsExactly("a", "b");
                assertThat(text(frozen.get("a"))).isEqualTo("1");
            }
            assertThat(text(store.get("a"))).isEqualTo("100");
            assertThat(store.get("b")).isNull();
        }
    }

    @Test
    void aReleasedCaptureCannotBeRead() {
        try (NodeStore store = NodeStore.open(dir)) {
            StateCapture capture = store.capture();
            capture.close();
            assertThatThrownBy(capture::readAll).hasMessageContaining("released");
        }
    }

    @Test
    void rollbackToMarkUndoesOnlyTheChangesAfterIt() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("kept", utf8("1"));
            store.mark();
            store.put("undone", utf8("2"));
            store.put("kept", utf8("changed"));
            store.rollbackToMark();
            store.commit();

            assertThat(text(store.get("kept"))).isEqualTo("1");
            assertThat(store.get("undone")).isNull();
        }
    }

    @Test
    void recordedRecordsComeBackPerSnapshotByChannelAndOffsetWithHeadersAndTimestamp() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.putRecorded(7, new RecordedRecord("b", 3, null, utf8("x"),
                    List.of(new StoredHeader("h", utf8("v")), new StoredHeader("n", null)), 1234L));
            store.putRecorded(7, new RecordedRecord("a", 10, utf8("k"), utf8("y")));
            store.putRecorded(7, new RecordedRecord("a", 2, utf8("k2"), null));
            store.putRecorded(8, new RecordedRecord("a", 11, null, utf8("z")));
            store.commit();

            List<String> seven = new ArrayList<>();
            store.recorded(7).forEach(r -> seven.add(r.channel() + "@" + r.offset() + "=" + text(r.key()) + "/"
                    + text(r.value())));

            assertThat(seven).containsExactly("a@2=k2/null", "a@10=k/y", "b@3=null/x");
            RecordedRecord withHeaders = store.recorded(7).get(2);
            assertThat(withHeaders.headers()).containsExactly(new StoredHeader("h", utf8("v")),
                    new StoredHeader("n", null));
            assertThat(withHeaders.timestamp()).isEqualTo(1234L);
            assertThat(store.snapshotsWithRecords()).containsExactly(7L, 8L);
            store.deleteRecorded(7);
            store.commit();
            assertThat(store.recorded(7)).isEmpty();
            assertThat(store.recorded(8)).hasSize(1);
        }
    }

    @Test
    void outboxEntriesGetGaplessSequencesPerChannelAndSurviveARestartUntilDeleted() {
        try (NodeStore store = NodeStore.open(dir)) {
            OutboxEntry a0 = store.appendOutbox("a", null, utf8("1"), 0, -1, false);
            OutboxEntry b0 = store.appendOutbox("b", null, utf8("2"), 0, -1, false);
            OutboxEntry a1 = store.appendOutbox("a", null, new byte[0], 0, 42, false);
            store.commit();
            assertThat(List.of(a0.seq(), b0.seq(), a1.seq())).containsExactly(0L, 0L, 1L);
            assertThat(a1.isMarker()).isTrue();
            store.deleteOutbox(a0.id());
            store.commit();
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.outbox()).extracting(OutboxEntry::channel, OutboxEntry::seq, OutboxEntry::marker)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("b", 0L, -1L),
                            org.assertj.core.groups.Tuple.tuple("a", 1L, 42L));
            OutboxEntry next = store.appendOutbox("a", null, utf8("3"), 0, -1, false);
            assertThat(next.seq()).isEqualTo(2);
            assertThat(next.id()).isGreaterThan(store.outbox().get(1).id());
            OutboxEntry newEpoch = store.appendOutbox("a", null, null, 5, -1, true);
            assertThat(newEpoch.seq()).as("a new epoch numbers from 0").isZero();
        }
    }

    @Test
    void aRolledBackSendTakesItsSequenceNumberBack() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.appendOutbox("a", null, utf8("1"), 0, -1, false);
            store.mark();
            store.appendOutbox("a", null, utf8("undone"), 0, -1, false);
            store.rollbackToMark();
            OutboxEntry next = store.appendOutbox("a", null, utf8("2"), 0, -1, false);
            store.commit();
            assertThat(next.seq()).isEqualTo(1);
            assertThat(store.outbox()).extracting(OutboxEntry::seq).containsExactly(0L, 1L);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void nestedSavePointsGiveBackTheIdsAndSequencesHandedOutAfterEach(String kind) {
        try (NodeStore store = store(kind)) {
            OutboxEntry first = store.appendOutbox("a", null, utf8("1"), 0, -1, false);
            store.mark();
            store.appendOutbox("a", null, utf8("kept"), 0, -1, false);
            store.mark();
            store.appendOutbox("a", null, utf8("undone"), 0, -1, false);
            store.appendOutbox("b", null, utf8("undone"), 0, -1, false);
            store.rollbackToMark();
            store.releaseMark();
            OutboxEntry b = store.appendOutbox("b", null, utf8("2"), 0, -1, false);
            store.mark();
            store.appendOutbox("a", null, utf8("undone too"), 0, -1, false);
            store.rollbackToMark();
            OutboxEntry a = store.appendOutbox("a", null, utf8("3"), 0, -1, false);
            store.commit();
            assertThat(List.of(b.seq(), a.seq())).containsExactly(0L, 2L);
            assertThat(store.outbox()).extracting(OutboxEntry::id)
                    .containsExactly(first.id(), first.id() + 1, first.id() + 2, first.id() + 3);
        }
    }

    @Test
    void theNextSequenceOfAChannelIsCommittedWithTheStepThatUsedIt() {
        try (NodeStore store = NodeStore.open(dir)) {
            for (int i = 0; i < 5; i++) {
                store.appendOutbox("a", null, utf8("x"), 3, -1, false);
            }
            store.commit();
            store.appendOutbox("a", null, utf8("lost with the process"), 3, -1, false);
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.nextSequences().get("a")).containsExactly(3, 5);
            assertThat(store.appendOutbox("a", null, utf8("y"), 3, -1, false).seq()).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void aRangeDeletionDropsExactlyTheIdsInItAtTheCommit(String kind) {
        try (NodeStore store = store(kind)) {
            List<OutboxEntry> entries = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                entries.add(store.appendOutbox(i % 2 == 0 ? "a" : "b", null, utf8("v" + i), 0, -1, false));
            }
            store.commit();
            store.deleteOutboxRange(entries.get(1).id(), entries.get(4).id());
            store.deleteOutboxRange(entries.get(5).id(), entries.get(5).id());
            assertThat(store.hasPendingChanges()).isTrue();
            store.commit();
            assertThat(store.outbox()).extracting(OutboxEntry::id)
                    .containsExactly(entries.get(0).id(), entries.get(4).id(), entries.get(5).id());
        }
    }

    @Test
    void bookkeepingIsWrittenWithTheStepAndReadBackAfterARestart() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.putApplied("in", 3, 17);
            store.putControlPosition(99);
            store.putInFlight(40);
            store.putInFlight(41);
            store.removeInFlight(40);
            store.putEpoch(3);
            store.commit();
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.applied().get("in")).containsExactly(3, 17);
            assertThat(store.controlPosition()).hasValue(99);
            assertThat(store.inFlight()).containsExactly(41L);
            assertThat(store.epoch()).isEqualTo(3);
        }
    }

    @Test
    void aCaptureWithUncommittedChangesIsRefused() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("a", utf8("1"));
            assertThatThrownBy(store::capture).hasMessageContaining("commit the step first");
        }
    }

    @Test
    void forEachStateShowsCommittedAndPendingInKeyOrder() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.put("b", utf8("1"));
            store.commit();
            store.put("a", utf8("2"));
            store.delete("b");
            store.put("c", utf8("3"));
            List<String> keys = new ArrayList<>();
            store.forEachState((k, v) -> keys.add(k));
            assertThat(keys).containsExactly("a", "c");
        }
    }

    @Test
    void aDirectoryThatCannotHoldAStoreIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> NodeStore.open(file)).hasMessageContaining(file.toString());
    }

    /** A fresh store of the given kind: "rocks" in {@link #dir}, or "memory". */
    private NodeStore store(String kind) {
        return kind.equals("rocks") ? NodeStore.open(dir.resolve("rocks")) : new InMemoryNodeStore();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void prefixReadsSeeCommittedAndPendingEntriesInByteOrderAndNothingElse(String kind) {
        try (NodeStore store = store(kind)) {
            store.put("acct/2", utf8("20"));
            store.put("acct/1", utf8("10"));
            store.put("acct", utf8("not under the prefix"));
            store.put("acct0", utf8("after the prefix"));
            store.put("acc", utf8("before"));
            store.put("acct/gone", utf8("x"));
            store.commit();
            store.put("acct/3", utf8("30"));
            store.delete("acct/gone");

            List<String> read = new ArrayList<>();
            store.forEachStateWithPrefix("acct/", (k, v) -> read.add(k + "=" + text(v)));
            assertThat(read).containsExactly("acct/1=10", "acct/2=20", "acct/3=30");

            List<String> none = new ArrayList<>();
            store.forEachStateWithPrefix("zzz", (k, v) -> none.add(k));
            assertThat(none).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void aRangeIsFromInclusiveToExclusiveAndEmptyWhenReversed(String kind) {
        try (NodeStore store = store(kind)) {
            for (String key : List.of("a", "b", "b1", "c", "d")) {
                store.put(key, utf8(key));
            }
            store.commit();
            store.delete("b1");

            List<String> read = new ArrayList<>();
            store.forEachStateInRange("b", "d", (k, v) -> read.add(k));
            assertThat(read).containsExactly("b", "c");

            List<String> reversed = new ArrayList<>();
            store.forEachStateInRange("d", "b", (k, v) -> reversed.add(k));
            assertThat(reversed).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void bothStoresOrderKeysByTheirUtf8Bytes(String kind) {
        // U+FF5E sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16.
        String bmp = "k\uFF5E";
        String astral = "k\uD83D\uDE00";
        try (NodeStore store = store(kind)) {
            store.put(astral, utf8("astral"));
            store.put(bmp, utf8("bmp"));
            List<String> read = new ArrayList<>();
            store.forEachStateWithPrefix("k", (k, v) -> read.add(text(v)));
            assertThat(read).containsExactly("bmp", "astral");
            List<String> range = new ArrayList<>();
            store.forEachStateInRange("k", bmp + "\u0000", (k, v) -> range.add(text(v)));
            assertThat(range).containsExactly("bmp");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void aPrefixReadMayDeleteWhatItReads(String kind) {
        try (NodeStore store = store(kind)) {
            store.put("tmp/1", utf8("1"));
            store.put("tmp/2", utf8("2"));
            store.put("keep", utf8("3"));
            store.commit();
            store.forEachStateWithPrefix("tmp/", (k, v) -> store.delete(k));
            List<String> left = new ArrayList<>();
            store.forEachState((k, v) -> left.add(k));
            assertThat(left).containsExactly("keep");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocks", "memory"})
    void outboxEntriesKeepTheirHeadersInOrder(String kind) {
        List<StoredHeader> headers = List.of(new StoredHeader("trace", utf8("t-1")), new StoredHeader("nil", null),
                new StoredHeader("trace", utf8("t-2")));
        try (NodeStore store = store(kind)) {
            OutboxEntry sent = store.appendOutbox("a", utf8("k"), utf8("v"), 0, -1, false, headers);
            OutboxEntry plain = store.appendOutbox("a", null, utf8("w"), 0, -1, false);
            store.commit();

            assertThat(sent.headers()).containsExactlyElementsOf(headers);
            List<OutboxEntry> outbox = store.outbox();
            assertThat(outbox).extracting(OutboxEntry::id).containsExactly(sent.id(), plain.id());
            assertThat(outbox.get(0).headers()).containsExactlyElementsOf(headers);
            assertThat(outbox.get(0).seq()).isEqualTo(0);
            assertThat(outbox.get(1).headers()).isEmpty();
            assertThat(outbox.get(1).seq()).isEqualTo(1);
        }
    }

    @Test
    void outboxHeadersSurviveARestart() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.appendOutbox("a", null, utf8("v"), 3, -1, false, List.of(new StoredHeader("h", utf8("x"))));
            store.commit();
        }
        try (NodeStore store = NodeStore.open(dir)) {
            assertThat(store.outbox()).singleElement().satisfies(e -> {
                assertThat(e.epoch()).isEqualTo(3);
                assertThat(e.headers()).containsExactly(new StoredHeader("h", utf8("x")));
            });
        }
    }
}
