package io.kafkasnap.format;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A fragment's timeline: its JSON, its ordering, and its stamps when the fragment is streamed in chunks. */
class TimelineTest {

    private static final Timeline TIMELINE = new Timeline(Timeline.MARKER, 1000, 1002, 1010, 1007, 1012, 1013);

    @Test
    void rideAtTheEndOfTheFragmentAndComeBack() {
        Fragment fragment = Samples.designExample().withTimeline(TIMELINE);

        String json = new String(fragment.toJson(), StandardCharsets.UTF_8);

        assertThat(json).endsWith(",\"timeline\":{\"startedBy\":\"marker\",\"triggerSeen\":1000,\"captured\":1002,"
                + "\"markersAcked\":1010,\"lastMarkerIn\":1007,\"stateReadOut\":1012,\"published\":1013}}");
        assertThat(Fragment.fromJson(fragment.toJson())).isEqualTo(fragment);
        assertThat(Fragment.fromJson(fragment.toJson()).timeline().points().keySet())
                .containsExactly(Timeline.POINTS);
    }

    @Test
    void aFragmentFromBeforeTimelinesHasNone() {
        Fragment old = Samples.designExample();

        assertThat(new String(old.toJson(), StandardCharsets.UTF_8)).doesNotContain("timeline");
        assertThat(Fragment.fromJson(old.toJson()).timeline()).isNull();
    }

    @Test
    void aTimelineThatSaysNeitherTriggerNorMarkerIsRefusedNamingTheField() {
        String json = new String(Samples.designExample().withTimeline(TIMELINE).toJson(), StandardCharsets.UTF_8)
                .replace("\"marker\"", "\"timer\"");

        assertThatThrownBy(() -> Fragment.fromJson(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedDocumentException.class).hasMessageContaining("startedBy");
    }

    @Test
    void orderedWhenTheTwoWaitsOverlapEitherWay() {
        assertThat(TIMELINE.isOrdered()).isTrue();
        assertThat(new Timeline(Timeline.TRIGGER, 5, 5, 5, 9, 9, 9).isOrdered()).isTrue();
        assertThat(TIMELINE.markersDone()).isEqualTo(1010);
    }

    @Test
    void outOfOrderPointsAreNotOrdered() {
        assertThat(new Timeline(Timeline.TRIGGER, 5, 4, 6, 6, 7, 8).isOrdered()).as("captured before seen").isFalse();
        assertThat(new Timeline(Timeline.TRIGGER, 5, 6, 9, 7, 8, 9).isOrdered()).as("read out before acked")
                .isFalse();
        assertThat(new Timeline(Timeline.TRIGGER, 5, 6, 7, 7, 8, 7).isOrdered()).as("published before read out")
                .isFalse();
    }

    @Test
    void aStreamedFragmentIsStampedAfterItsStateAndBothPassesOfAChunkedOneWriteTheSameStamps() throws IOException {
        Fragment fragment = Samples.designExample();
        AtomicLong clock = new AtomicLong(2000);
        TimelineStamps stamps = new TimelineStamps(new Timeline.OnLoop(Timeline.TRIGGER, 1990, 1991, 1995, 1993),
                clock::incrementAndGet);
        List<ProducerRecord<byte[], byte[]>> chunks = new ArrayList<>();

        int count = Chunks.stream("fragments", fragment.key(), 64, out -> FragmentStream.write(out,
                        fragment.snapshot(), fragment.process(), fragment.recordedAt(),
                        each -> fragment.state().forEach((k, v) -> each.accept(k, ValueCodec.fromJson(v))),
                        fragment.in(), fragment.out(), stamps),
                (chunk, index, n) -> chunks.add(chunk));

        assertThat(count).isGreaterThan(1);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        for (ProducerRecord<byte[], byte[]> chunk : chunks) {
            whole.write(chunk.value());
        }
        Timeline timeline = Fragment.fromJson(whole.toByteArray()).timeline();
        assertThat(timeline).isEqualTo(new Timeline(Timeline.TRIGGER, 1990, 1991, 1995, 1993, 2001, 2002));
        assertThat(timeline.isOrdered()).isTrue();
        assertThat(Fragment.fromJson(whole.toByteArray())).isEqualTo(fragment.withTimeline(timeline));
    }

    @Test
    void theAssembledSnapshotCarriesEachMembersTimeline() {
        GlobalSnapshot.ProcessState process = new GlobalSnapshot.ProcessState(Map.of(), 1002, TIMELINE);
        GlobalSnapshot snapshot = new GlobalSnapshot(1, 42,
                GlobalSnapshot.Status.COMPLETE, 990, 1020, List.of("bank-0"),
                Map.of("bank-0", process), Map.of(),
                new GlobalSnapshot.Consistency(true, List.of()));

        String json = snapshot.toJson(false);

        assertThat(json).contains("\"processes\":{\"bank-0\":{\"state\":{},\"recordedAt\":1002,\"timeline\":{");
        assertThat(GlobalSnapshot.fromJson(json).processes().get("bank-0").timeline())
                .isEqualTo(TIMELINE);
        assertThat(GlobalSnapshot.fromJson(json.replace(",\"timeline\":{\"startedBy\":"
                + "\"marker\",\"triggerSeen\":1000,\"captured\":1002,\"markersAcked\":1010,\"lastMarkerIn\":1007,"
                + "\"stateReadOut\":1012,\"published\":1013}", "")).processes().get("bank-0").timeline()).isNull();
    }
}
