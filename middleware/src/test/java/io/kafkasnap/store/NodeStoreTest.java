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

/** The store on real RocksDB. */
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
    void recordedRecordsComeBackPerSnapshotByChannelAndOffset() {
        try (NodeStore store = NodeStore.open(dir)) {
            store.putRecorded(7, "b", 3, null, utf8("x"));
            store.putRecorded(7, "a", 10, utf8("k"), utf8("y"));
            store.putRecorded(7, "a", 2, utf8("k2"), null);
            store.putRecorded(8, "a", 11, null, utf8("z"));
            store.commit();

            List<String> seven = new ArrayList<>();
            store.recorded(7).forEach(r -> seven.add(r.channel() + "@" + r.offset() + "=" + text(r.key()) + "/"
                    + text(r.value())));

            assertThat(seven).containsExactly("a@2=k2/null", "a@10=k/y", "b@3=null/x");
            store.deleteRecorded(7);
            assertThat(store.recorded(7)).isEmpty();
            assertThat(store.recorded(8)).hasSize(1);
            store.deleteAllRecorded();
            assertThat(store.recorded(8)).isEmpty();
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
}
