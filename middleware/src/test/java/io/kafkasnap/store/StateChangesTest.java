package io.kafkasnap.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the store remembers of the keys written between captures, and when it says it does not know. */
class StateChangesTest {

    private final StateChanges changes = new StateChanges();

    private static List<String> texts(List<byte[]> keys) {
        return keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void theKeysBetweenTwoCapturesAreTheUnionOfTheIntervalsInBetweenInByteOrder() {
        long a = changes.captured();
        changes.committed(List.of("b", "\u00e9"));
        long b = changes.captured();
        long c = changes.captured(); // nothing written in between: known and empty
        changes.committed(List.of("a", "b"));
        long d = changes.captured();

        assertThat(changes.between(b, c)).hasValueSatisfying(keys -> assertThat(keys).isEmpty());
        assertThat(changes.between(a, d).map(StateChangesTest::texts)).hasValue(List.of("a", "b", "\u00e9"));
        assertThat(changes.between(d, a)).isEmpty();
    }

    @Test
    void aSpilledStepMakesItsIntervalUnknownAndOnlyThat() {
        long a = changes.captured();
        changes.committed(List.of("x"));
        changes.spilled();
        long b = changes.captured();
        changes.committed(List.of("y"));
        long c = changes.captured();

        assertThat(changes.between(a, b)).isEmpty();
        assertThat(changes.between(a, c)).isEmpty();
        assertThat(changes.between(b, c).map(StateChangesTest::texts)).hasValue(List.of("y"));
    }

    @Test
    void pastTheBoundTheOldestIntervalsAreForgottenFirst() {
        long a = changes.captured();
        changes.committed(IntStream.range(0, StateChanges.MAX_KEYS - 10).mapToObj(i -> "old" + i).toList());
        long b = changes.captured();
        changes.committed(IntStream.range(0, 20).mapToObj(i -> "new" + i).toList());
        long c = changes.captured();

        assertThat(changes.between(a, b)).isEmpty();
        assertThat(changes.between(b, c)).hasValueSatisfying(keys -> assertThat(keys).hasSize(20));

        changes.committed(IntStream.range(0, StateChanges.MAX_KEYS + 1).mapToObj(i -> "all" + i).toList());
        long d = changes.captured();
        assertThat(changes.between(c, d)).isEmpty();
    }

    @Test
    void intervalsNoOpenCaptureNeedsAreDroppedAndAReleasedBaseIsNoLongerKnown() {
        long a = changes.captured();
        changes.committed(List.of("k"));
        long b = changes.captured();
        changes.committed(List.of("m"));
        long c = changes.captured();

        changes.released(a);
        assertThat(changes.between(a, c)).isEmpty();
        assertThat(changes.between(b, c).map(StateChangesTest::texts)).hasValue(List.of("m"));
        changes.released(b);
        changes.released(c);
        assertThat(changes.between(b, c)).isEmpty();
    }
}
