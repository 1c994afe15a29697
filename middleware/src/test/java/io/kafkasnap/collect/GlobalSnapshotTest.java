package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.MalformedDocumentException;

import static io.kafkasnap.collect.Samples.json;
import static io.kafkasnap.collect.Samples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GlobalSnapshotTest {

    private static GlobalSnapshot sample() {
        return new GlobalSnapshot(1, 42, GlobalSnapshot.Status.TIMED_OUT, 1000, 31000, List.of("bank-1", "bank-0"),
                Map.of("bank-0", new GlobalSnapshot.ProcessState(Map.of("balance", json("970")), 1100)),
                Map.of("bank.0.1", new GlobalSnapshot.ChannelState("bank-0", "bank-1", 120, 125, List.of(
                                new Fragment.Message(121, null, json("{\"amount\":30}")),
                                Fragment.Message.of(123, utf8("k"), new byte[] {1, 2}))),
                        "bank.2.1", new GlobalSnapshot.ChannelState(null, "bank-1", 5, 5, List.of())),
                new GlobalSnapshot.Consistency(true, List.of(new Violation(3, "bank.0.1", "offset 121 differs"))));
    }

    @Test
    void writesTheDesignsFormatCompactly() {
        assertThat(sample().toJson(false)).isEqualTo("{\"v\":1,\"snapshot\":42,\"status\":\"timed-out\",\"triggeredAt\":1000,"
                + "\"completedAt\":31000,\"members\":[\"bank-0\",\"bank-1\"],"
                + "\"processes\":{\"bank-0\":{\"state\":{\"balance\":970},\"recordedAt\":1100}},"
                + "\"channels\":{\"bank.0.1\":{\"from\":\"bank-0\",\"to\":\"bank-1\",\"recordedFrom\":120,\"markerOffset\":125,"
                + "\"messages\":[{\"offset\":121,\"key\":null,\"value\":{\"amount\":30}},"
                + "{\"offset\":123,\"key\":{\"$base64\":\"aw==\"},\"value\":{\"$base64\":\"AQI=\"}}]},"
                + "\"bank.2.1\":{\"from\":null,\"to\":\"bank-1\",\"recordedFrom\":5,\"markerOffset\":5,\"messages\":[]}},"
                + "\"consistency\":{\"checked\":true,\"violations\":[{\"rule\":3,\"channel\":\"bank.0.1\",\"message\":\"offset 121 differs\"}]}}");
    }

    @Test
    void readsWhatItWritesPrettyOrCompact() {
        GlobalSnapshot snapshot = sample();
        assertThat(snapshot.toJson(true)).contains("\n");
        assertThat(GlobalSnapshot.fromJson(snapshot.toJson(true))).isEqualTo(snapshot);
        assertThat(GlobalSnapshot.fromJson(snapshot.toJson(false))).isEqualTo(snapshot);
    }

    @Test
    void derivedAccessors() {
        GlobalSnapshot snapshot = sample();
        assertThat(snapshot.inFlightMessageCount()).isEqualTo(2);
        assertThat(snapshot.missingMembers()).containsExactly("bank-1");
        assertThat(snapshot.isComplete()).isFalse();
        assertThat(snapshot.isConsistent()).isFalse();
        assertThat(snapshot.process("bank-0")).isPresent();
        assertThat(snapshot.channel("bank.0.1").orElseThrow().messages().get(1).valueBytes()).isEqualTo(new byte[] {1, 2});
    }

    @Test
    void namesWhatIsWrong() {
        String good = sample().toJson(false);
        assertThatThrownBy(() -> GlobalSnapshot.fromJson(good.replace("timed-out", "done")))
                .isInstanceOf(MalformedDocumentException.class)
                .hasMessage("global snapshot: unknown status \"done\" (expected one of complete, inconsistent, failed, incomplete,"
                        + " timed-out, pruned, in-progress)");
        assertThatThrownBy(() -> GlobalSnapshot.fromJson(good.replace("\"rule\":3", "\"rule\":4")))
                .hasMessage("global snapshot: \"consistency\".\"violations\"[0]: \"rule\" must be 1, 2 or 3, got 4");
        assertThatThrownBy(() -> GlobalSnapshot.fromJson(good.replace("\"to\":\"bank-1\",\"recordedFrom\":120", "\"recordedFrom\":120")))
                .hasMessage("global snapshot: \"channels\".\"bank.0.1\": missing \"to\"");
        assertThatThrownBy(() -> GlobalSnapshot.fromJson(good + "x")).hasMessageStartingWith("global snapshot: not JSON");
    }
}
