package io.kafkasnap.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.kafka.ChannelRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The assembler reads a receiver's channel ranges as soon as its fragment arrives, while it waits for the others, and
 * the check then reads only what was not read ahead. a → b over "a.b", holding one app record before the marker.
 */
class ReadAheadTest {

    private static final long S = 10;

    /** The in-memory log, counting what is read and able to fail the next reads. */
    private static final class CountingLog implements ChannelLog {
        final InMemoryChannelLog log = new InMemoryChannelLog();
        final List<Range> reads = new ArrayList<>();
        int failures;

        @Override
        public List<ChannelRecord> read(String topic, long fromInclusive, long toExclusive) {
            reads.add(new Range(topic, fromInclusive, toExclusive));
            if (failures > 0) {
                failures--;
                throw new ChannelLogException("broker not reachable");
            }
            return log.read(topic, fromInclusive, toExclusive);
        }
    }

    private final CountingLog channels = new CountingLog();
    private final Assembler assembler = new Assembler(new ConsistencyChecker(channels), Duration.ofSeconds(30));
    private final Map<String, ControlRecord.Join> members = Map.of(
            "a", Samples.join("a", List.of(), List.of("a.b")),
            "b", Samples.join("b", List.of("a.b"), List.of()));
    private long collectionOffset;

    ReadAheadTest() {
        channels.log.send("a.b", null, "x");
        channels.log.sendSequenced("a.b", null, 0, 1, true);
        channels.log.sendSequenced("a.b", null, 0, 1, true); // a second copy of the marker, as after a failed send
        assembler.onSnapshotStart(Samples.start(S, 1_000, Optional.empty(), members));
    }

    private Fragment sender(long markerOffset) {
        return new Fragment(S, "a", 1_100, Map.of(), Map.of(), Map.of("a.b", new Fragment.OutChannel(markerOffset)));
    }

    private Fragment receiver() {
        return new Fragment(S, "b", 1_200, Map.of(), Map.of("a.b", new Fragment.InChannel(0, 1,
                List.of(Fragment.Message.of(0, null, Samples.utf8("x"))))), Map.of());
    }

    private List<GlobalSnapshot> publish(Fragment fragment) {
        var consumed = Samples.consumed(Chunks.chunks("f", fragment, 1 << 16), collectionOffset, 2_000);
        collectionOffset += consumed.size();
        consumed.forEach(assembler::onFragmentRecord);
        return assembler.ready(S + 1);
    }

    @Test
    void aReceiversRangesAreReadWhenItsFragmentArrivesAndNotAgainByTheCheck() {
        assertThat(publish(receiver())).isEmpty();
        assertThat(channels.reads).containsExactly(new ChannelLog.Range("a.b", 0, 2));

        List<GlobalSnapshot> ready = publish(sender(1));

        assertThat(ready).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(Status.COMPLETE);
            assertThat(s.consistency().checked()).isTrue();
            assertThat(s.isConsistent()).isTrue();
        });
        assertThat(channels.reads).hasSize(1);
    }

    @Test
    void aSnapshotWhoseLastFragmentIsTheReceiversReadsItsRangeAtTheCheckOnly() {
        assertThat(publish(sender(1))).isEmpty();
        assertThat(channels.reads).isEmpty();

        assertThat(publish(receiver())).singleElement().satisfies(s -> assertThat(s.isConsistent()).isTrue());
        assertThat(channels.reads).containsExactly(new ChannelLog.Range("a.b", 0, 2));
    }

    @Test
    void aRangeReadAheadThatStopsShortOfTheSendersMarkerIsReadAgainToIt() {
        publish(receiver());

        // The sender reports the later copy of the marker: the check must see up to it.
        assertThat(publish(sender(2))).singleElement().satisfies(s -> assertThat(s.isConsistent()).isTrue());
        assertThat(channels.reads).containsExactly(new ChannelLog.Range("a.b", 0, 2),
                new ChannelLog.Range("a.b", 0, 3));
    }

    @Test
    void aFailedReadAheadLeavesTheReadToTheCheckWhichStillChecksTheChannel() {
        channels.failures = 1;
        publish(receiver());

        assertThat(publish(sender(1))).singleElement().satisfies(s -> {
            assertThat(s.consistency().checked()).isTrue();
            assertThat(s.isConsistent()).isTrue();
        });
        assertThat(channels.reads).hasSize(2);
    }

    @Test
    void whatWasReadAheadIsHeldToTheSameRulesAsWhatTheCheckReads() {
        publish(new Fragment(S, "b", 1_200, Map.of(), Map.of("a.b", new Fragment.InChannel(0, 1, List.of())),
                Map.of()));

        assertThat(publish(sender(1))).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(Status.INCONSISTENT);
            assertThat(s.consistency().violations()).extracting(Violation::rule).containsOnly(3);
        });
        assertThat(channels.reads).hasSize(1);
    }
}
