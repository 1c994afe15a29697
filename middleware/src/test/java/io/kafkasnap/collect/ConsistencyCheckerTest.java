package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;

import static io.kafkasnap.collect.Samples.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.kafka.ChannelRecord;
import io.kafkasnap.format.ControlRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two processes, a → b on channel "a.b" and b → a on "b.a". Channel a.b: offsets 0..1 processed by b before it
 * recorded, 2..3 in flight, 4 is an older snapshot's marker, 5 in flight, 6 is this snapshot's marker, 7 after.
 */
class ConsistencyCheckerTest {

    private static final long S = 42;
    private final InMemoryChannelLog log = new InMemoryChannelLog();
    private final Map<String, ControlRecord.Join> members = Map.of(
            "a", Samples.join("a", List.of("b.a"), List.of("a.b")),
            "b", Samples.join("b", List.of("a.b"), List.of("b.a")));
    private long markerAB;
    private long markerBA;

    @BeforeEach
    void channels() {
        log.send("a.b", "k0", "{\"amount\":1}");
        log.send("a.b", "k1", "{\"amount\":2}");
        log.send("a.b", "k2", "{\"amount\":3}");
        log.send("a.b", null, "not json");
        log.marker("a.b");
        log.send("a.b", "k5", "{\"amount\":5}");
        markerAB = log.marker("a.b");
        log.send("a.b", "k7", "{\"amount\":7}");
        markerBA = log.marker("b.a");
    }

    private static Fragment.Message message(ChannelRecord record) {
        return Fragment.Message.of(record.offset(), record.key(), record.value());
    }

    private List<Fragment.Message> inFlight() {
        List<Fragment.Message> messages = new ArrayList<>();
        for (int offset : new int[] {2, 3, 5}) {
            messages.add(message(log.all("a.b").get(offset)));
        }
        return messages;
    }

    private Fragment a(long outMarker) {
        return new Fragment(S, "a", 1, Map.of("x", json("1")), Map.of("b.a", new Fragment.InChannel(0, markerBA, List.of())),
                Map.of("a.b", new Fragment.OutChannel(outMarker)));
    }

    private Fragment b(long recordedFrom, long marker, List<Fragment.Message> messages) {
        return new Fragment(S, "b", 2, Map.of(), Map.of("a.b", new Fragment.InChannel(recordedFrom, marker, messages)),
                Map.of("b.a", new Fragment.OutChannel(markerBA)));
    }

    private GlobalSnapshot.Consistency check(Fragment... fragments) {
        Map<String, Fragment> byProcess = new java.util.TreeMap<>();
        for (Fragment fragment : fragments) {
            byProcess.put(fragment.process(), fragment);
        }
        return new ConsistencyChecker(log).check(S, members, byProcess);
    }

    @Test
    void aConsistentSnapshotPasses() {
        GlobalSnapshot.Consistency result = check(a(markerAB), b(2, markerAB, inFlight()));
        assertThat(result.checked()).isTrue();
        assertThat(result.violations()).isEmpty();
    }

    @Test
    void aRecordedValueWithOtherBytesThanTheChannelsIsAViolationEvenIfItMeansTheSame() {
        List<Fragment.Message> messages = new ArrayList<>(inFlight());
        messages.set(0, Fragment.Message.of(2, Samples.utf8("k2"), Samples.utf8("{ \"amount\" : 3 }")));
        assertThat(check(a(markerAB), b(2, markerAB, messages)).violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("offset 2: recorded value"));
    }

    @Test
    void rule1FailsWhenTheOffsetsDisagree() {
        assertThat(check(a(markerAB + 1), b(2, markerAB, inFlight())).violations())
                .containsExactly(new Violation(1, "a.b", "a sent snapshot 42's marker at offset 7 but b says it arrived at offset 6, which is not an earlier"
                        + " copy of the same (epoch, seq)"));
    }

    @Test
    void rule1FailsWhenTheOffsetIsNotAMarker() {
        assertThat(check(a(7), b(2, 7, inFlight())).violations()).extracting(Violation::rule, Violation::message)
                .contains(org.assertj.core.groups.Tuple.tuple(1, "the record at offset 7 of a.b is an app record, not a marker"));
    }

    @Test
    void rule1FailsWhenAFragmentLacksADeclaredChannel() {
        Fragment withoutOut = new Fragment(S, "a", 1, Map.of(), Map.of("b.a", new Fragment.InChannel(0, markerBA, List.of())),
                Map.of());
        Fragment withoutIn = new Fragment(S, "b", 2, Map.of(), Map.of(), Map.of("b.a", new Fragment.OutChannel(markerBA)));
        assertThat(check(withoutOut, withoutIn).violations()).containsExactly(
                new Violation(1, "a.b", "a's fragment names no marker offset for outgoing channel a.b, which its join record declares"),
                new Violation(1, "a.b", "b's fragment has no recording of incoming channel a.b, which its join record declares"));
    }

    @Test
    void rule2FailsWhenTheReceiverRecordedAfterTheMarker() {
        assertThat(check(a(markerAB), b(markerAB + 1, markerAB, List.of())).violations()).containsExactly(
                new Violation(2, "a.b", "b recorded its state at offset 7, after the marker at offset 6 (must be <= the marker offset)"));
    }

    @Test
    void rule3FailsOnAWrongValue() {
        List<Fragment.Message> messages = new ArrayList<>(inFlight());
        messages.set(1, new Fragment.Message(3, null, json("\"tampered\"")));
        assertThat(check(a(markerAB), b(2, markerAB, messages)).violations()).singleElement().satisfies(v -> {
            assertThat(v.rule()).isEqualTo(3);
            assertThat(v.channel()).isEqualTo("a.b");
            assertThat(v.message()).isEqualTo("offset 3: recorded value \"tampered\" but the channel has {\"$base64\":\"bm90IGpzb24=\"}");
        });
    }

    @Test
    void rule3FailsOnAMissingAnExtraOrAMisorderedMessage() {
        List<Fragment.Message> missing = new ArrayList<>(inFlight());
        missing.remove(2);
        assertThat(check(a(markerAB), b(2, markerAB, missing)).violations()).extracting(Violation::message)
                .containsExactly("offset 5 was in flight (in [2, 6)) but b did not record it");

        List<Fragment.Message> extra = new ArrayList<>(inFlight());
        extra.add(0, message(log.all("a.b").get(1)));
        assertThat(check(a(markerAB), b(2, markerAB, extra)).violations()).extracting(Violation::message)
                .containsExactly("b recorded offset 1, which is not an app record of a.b in [2, 6)");

        List<Fragment.Message> marker = new ArrayList<>(inFlight());
        marker.add(2, new Fragment.Message(4, null, null));
        assertThat(check(a(markerAB), b(2, markerAB, marker)).violations()).extracting(Violation::message)
                .containsExactly("b recorded offset 4, which is not an app record of a.b in [2, 6)");

        List<Fragment.Message> reordered = new ArrayList<>(inFlight());
        java.util.Collections.swap(reordered, 0, 1);
        assertThat(check(a(markerAB), b(2, markerAB, reordered)).violations()).extracting(Violation::message)
                .containsExactly("b recorded offset 2 after offset 3: recorded messages are not in offset order");
    }

    @Test
    void anUnreadableChannelMakesTheCheckUnfinishedNotWrong() {
        Fragment a = a(100);
        GlobalSnapshot.Consistency result = check(a, b(2, 100, inFlight()));
        assertThat(result.checked()).isFalse();
        assertThat(result.violations()).isEmpty();
    }

    @Test
    void missingFragmentsAreNotViolations() {
        GlobalSnapshot.Consistency result = check(a(markerAB));
        assertThat(result.checked()).isTrue();
        assertThat(result.violations()).isEmpty();
    }

    @Test
    void reSentRecordsInTheRangeAreNotChannelStateButNewOnesAre() {
        InMemoryChannelLog sequenced = new InMemoryChannelLog();
        sequenced.sendSequenced("a.b", "{\"amount\":1}", 0, 0, false);   // applied by b before it recorded
        sequenced.sendSequenced("a.b", "{\"amount\":2}", 0, 1, false);   // in flight
        sequenced.sendSequenced("a.b", "{\"amount\":1}", 0, 0, false);   // a restarted and sent these again
        sequenced.sendSequenced("a.b", "{\"amount\":2}", 0, 1, false);
        sequenced.sendSequenced("a.b", "{\"amount\":3}", 0, 2, false);   // in flight
        long marker = sequenced.sendSequenced("a.b", null, 0, 3, true);
        long back = sequenced.sendSequenced("b.a", null, 0, 0, true);
        List<ChannelRecord> all = sequenced.all("a.b");
        Fragment a = new Fragment(S, "a", 1, Map.of(), Map.of("b.a", new Fragment.InChannel(0, back, List.of())),
                Map.of("a.b", new Fragment.OutChannel(marker)));
        Fragment right = new Fragment(S, "b", 2, Map.of(), Map.of("a.b", new Fragment.InChannel(1, marker,
                List.of(message(all.get(1)), message(all.get(4))), 0, 0)), Map.of("b.a", new Fragment.OutChannel(back)));
        Fragment withResend = new Fragment(S, "b", 2, Map.of(), Map.of("a.b", new Fragment.InChannel(1, marker,
                List.of(message(all.get(1)), message(all.get(3)), message(all.get(4))), 0, 0)),
                Map.of("b.a", new Fragment.OutChannel(back)));

        ConsistencyChecker checker = new ConsistencyChecker(sequenced);
        assertThat(checker.check(S, members, Map.of("a", a, "b", right)).violations()).isEmpty();
        assertThat(checker.check(S, members, Map.of("a", a, "b", withResend)).violations())
                .singleElement().satisfies(v -> {
                    assertThat(v.rule()).isEqualTo(3);
                    assertThat(v.message()).contains("offset 3");
                });
    }

    @Test
    void aChannelWhoseSenderIsNoMemberOfTheSnapshotIsNotPartOfIt() {
        // b declares a.b, but a had not joined (or had left) when the snapshot was triggered: b records nothing of it.
        Fragment onlyB = new Fragment(S, "b", 2, Map.of(), Map.of(), Map.of("b.a", new Fragment.OutChannel(markerBA)));
        GlobalSnapshot.Consistency result = new ConsistencyChecker(log).check(S, Map.of("b", members.get("b")),
                Map.of("b", onlyB));
        assertThat(result.violations()).isEmpty();
    }

    @Test
    void anEarlierCopyOfTheSameMarkerIsTheMarkerTheReceiverApplied() {
        InMemoryChannelLog sequenced = new InMemoryChannelLog();
        sequenced.sendSequenced("a.b", "{\"amount\":1}", 0, 0, false);
        long first = sequenced.sendSequenced("a.b", null, 0, 1, true);     // written, but its acknowledgement was lost
        sequenced.sendSequenced("a.b", "{\"amount\":1}", 0, 0, false);   // so a sent both again
        long again = sequenced.sendSequenced("a.b", null, 0, 1, true);
        long back = sequenced.sendSequenced("b.a", null, 0, 0, true);
        Fragment a = new Fragment(S, "a", 1, Map.of(), Map.of("b.a", new Fragment.InChannel(0, back, List.of())),
                Map.of("a.b", new Fragment.OutChannel(again)));
        Fragment b = new Fragment(S, "b", 2, Map.of(), Map.of("a.b", new Fragment.InChannel(0, first,
                List.of(message(sequenced.all("a.b").get(0))), -1, -1)), Map.of("b.a", new Fragment.OutChannel(back)));
        assertThat(new ConsistencyChecker(sequenced).check(S, members, Map.of("a", a, "b", b)).violations()).isEmpty();

        Fragment bAtAnAppRecord = new Fragment(S, "b", 2, Map.of(), Map.of("a.b", new Fragment.InChannel(0, 0,
                List.of(), -1, -1)), Map.of("b.a", new Fragment.OutChannel(back)));
        assertThat(new ConsistencyChecker(sequenced).check(S, members, Map.of("a", a, "b", bAtAnAppRecord))
                .violations()).extracting(Violation::rule).contains(1);
    }
}
