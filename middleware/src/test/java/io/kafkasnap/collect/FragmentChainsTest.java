package io.kafkasnap.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.kafka.ChannelLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** One member "a" whose fragments of snapshots 1, 2 and 3 form a chain: full, then two incremental ones. */
class FragmentChainsTest {

    private final Map<String, ControlRecord.Join> members = Map.of("a", Samples.join("a", List.of(), List.of()));
    private final List<ConsumerRecord<byte[], byte[]>> topic = new ArrayList<>();
    /** Where each snapshot's fragment begins on {@link #topic}. */
    private final long[] first = new long[4];

    FragmentChainsTest() {
        publish(new Fragment(1, "a", 10, Map.of("x", Samples.json("1"), "y", Samples.json("1")), Map.of(), Map.of()));
        publish(Fragment.incremental(2, "a", 20, new Fragment.Base(1, first[1], first[1]),
                Map.of("y", Samples.json("2"), "z", Samples.json("2")), List.of("x"), Map.of(), Map.of()));
        publish(Fragment.incremental(3, "a", 30, new Fragment.Base(2, first[2], first[1]),
                Map.of("z", Samples.json("3")), List.of(), Map.of(), Map.of()));
    }

    private void publish(Fragment fragment) {
        // Another process's record in between, so that offsets and keys must both be right.
        topic.addAll(Samples.consumed(Chunks.chunks("f", new Fragment(fragment.snapshot(), "other", 0, Map.of(),
                Map.of(), Map.of()), 1_000), topic.size(), 1));
        first[(int) fragment.snapshot()] = topic.size();
        topic.addAll(Samples.consumed(Chunks.chunks("f", fragment, 40), topic.size(), fragment.recordedAt()));
    }

    private Assembler assembler(FragmentChains.Source bases) {
        Assembler assembler = new Assembler(new ConsistencyChecker(ChannelLog.unread("not read")), Duration.ZERO,
                bases);
        for (long s = 1; s <= 3; s++) {
            assembler.onSnapshotStart(Samples.start(s, s, Optional.empty(), members));
        }
        return assembler;
    }

    @Test
    void aReaderFollowingTheTopicRebuildsEachStateFromTheFragmentsBefore() {
        Assembler assembler = assembler(FragmentChains.NONE);
        topic.forEach(assembler::onFragmentRecord);
        List<GlobalSnapshot> ready = assembler.ready(4);
        assertThat(ready).extracting(GlobalSnapshot::status).containsOnly(Status.COMPLETE);
        assertThat(state(ready, 1)).isEqualTo(Map.of("x", Samples.json("1"), "y", Samples.json("1")));
        assertThat(state(ready, 2)).isEqualTo(Map.of("y", Samples.json("2"), "z", Samples.json("2")));
        assertThat(state(ready, 3)).isEqualTo(Map.of("y", Samples.json("2"), "z", Samples.json("3")));
        assertThat(assembler.chainStart(3)).isEqualTo(first[1]);
        assertThat(assembler.chainStart(1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aReaderOfOneSnapshotReadsItsBasesAtTheOffsetsTheyName() {
        Assembler assembler = assembler(InMemoryAssembly.bases(topic));
        topic.stream().filter(r -> new String(r.key()).equals("3/a")).forEach(assembler::onFragmentRecord);
        assertThat(state(assembler.ready(4), 3)).isEqualTo(Map.of("y", Samples.json("2"), "z", Samples.json("3")));
    }

    @Test
    void aDeletedBaseMakesTheFragmentUnusableSayingWhy() {
        List<ConsumerRecord<byte[], byte[]>> pruned = topic.subList((int) first[2], topic.size());
        Assembler assembler = assembler(InMemoryAssembly.bases(pruned));
        topic.stream().filter(r -> new String(r.key()).equals("3/a")).forEach(assembler::onFragmentRecord);
        GlobalSnapshot three = assembler.ready(4).stream().filter(s -> s.snapshot() == 3).findFirst().orElseThrow();
        assertThat(three.status()).isEqualTo(Status.INCOMPLETE);
        assertThat(three.detail()).contains("base 1/a at offset " + first[1]).contains("deleted");
    }

    @Test
    void aBaseOffsetThatHoldsAnotherFragmentIsNotTakenForTheBase() {
        List<ConsumerRecord<byte[], byte[]>> wrong = new ArrayList<>(topic);
        Fragment lying = Fragment.incremental(3, "a", 30, new Fragment.Base(2, first[2] - 1, first[1]),
                Map.of("z", Samples.json("3")), List.of(), Map.of(), Map.of());
        long at = wrong.size();
        wrong.addAll(Samples.consumed(Chunks.chunks("f", lying, 1_000), at, 40));
        Assembler assembler = assembler(InMemoryAssembly.bases(wrong));
        wrong.subList((int) at, wrong.size()).forEach(assembler::onFragmentRecord);
        GlobalSnapshot three = assembler.ready(4).stream().filter(s -> s.snapshot() == 3).findFirst().orElseThrow();
        assertThat(three.status()).isEqualTo(Status.INCOMPLETE);
        assertThat(three.detail()).contains("cannot be read").contains("2/other");
    }

    private static Map<String, ?> state(List<GlobalSnapshot> ready, long snapshot) {
        return ready.stream().filter(s -> s.snapshot() == snapshot).findFirst().orElseThrow().processes().get("a")
                .state();
    }
}
