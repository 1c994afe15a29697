package io.kafkasnap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeContext;
import io.kafkasnap.format.ControlRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandlerTestDriverTest {

    /** Adds each value to "total", sends the new total on "totals"; a value "boom" fails after changing both. */
    private static void sum(NodeContext ctx, IncomingRecord record) {
        String text = new String(record.value(), StandardCharsets.UTF_8);
        long total = ctx.state().getLong("total", 0);
        ctx.state().putLong("total", total + 1_000);
        ctx.send("totals", "half-done".getBytes(StandardCharsets.UTF_8));
        long next = total + Long.parseLong(text); // "boom" throws here, after a put and a send
        ctx.state().putLong("total", next);
        ctx.state().putLong("count", ctx.state().getLong("count", 0) + 1);
        ctx.send("totals", record.key(), Long.toString(next).getBytes(StandardCharsets.UTF_8));
    }

    private HandlerTestDriver driver;

    private HandlerTestDriver summing() {
        driver = HandlerTestDriver.builder("summer").incoming("orders", "refunds").outgoing("totals")
                .handler((ctx, record) -> sum(ctx, record)).build();
        return driver;
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void pipedRecordsReachTheHandlerAndItsSendsAreReadPerChannel() {
        summing();
        driver.pipe("orders", "a", "5");
        driver.pipe("refunds", "b", "-2");

        assertThat(driver.stateAsLong("total")).isEqualTo(3);
        assertThat(driver.sentValues("totals")).containsExactly("half-done", "5", "half-done", "3");
        assertThat(driver.readSent("totals")).hasSize(4);
        assertThat(driver.readSent("totals")).isEmpty();
        driver.pipe("orders", "c", "10");
        assertThat(driver.readSent("totals")).extracting(TestRecord::valueAsString).containsExactly("half-done", "13");
        assertThat(driver.sent("totals").get(1).keyAsString()).isEqualTo("a");
    }

    @Test
    void pipedRecordsAreStampedAsASenderStampsThemAndHeadersAndTimestampReachTheHandler() {
        List<IncomingRecord> seen = new java.util.ArrayList<>();
        driver = HandlerTestDriver.builder("p").incoming("in").handler((ctx, r) -> seen.add(r)).build();
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "t-1".getBytes(StandardCharsets.UTF_8));

        TestRecord first = driver.pipe("in", null, "x".getBytes(StandardCharsets.UTF_8), headers, 42L);
        TestRecord second = driver.pipe("in", "k", "y");

        assertThat(first.epoch()).hasValue(0);
        assertThat(first.seq()).hasValue(0);
        assertThat(second.seq()).hasValue(1);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).timestamp()).isEqualTo(42L);
        assertThat(new String(seen.get(0).headers().lastHeader("trace").value(), StandardCharsets.UTF_8))
                .isEqualTo("t-1");
        assertThat(seen.get(1).offset()).isEqualTo(1);
    }

    @Test
    void aResentRecordIsDroppedByItsSequenceNumber() {
        summing();
        TestRecord piped = driver.pipe("orders", "a", "5");
        driver.resend(piped);
        driver.resend(piped);

        assertThat(driver.stateAsLong("total")).isEqualTo(5);
        assertThat(driver.duplicatesDropped()).isEqualTo(2);
        assertThat(driver.recordsProcessed()).isEqualTo(1);
        assertThat(driver.incomingLog("orders")).hasSize(3);
        // the next record of the sender still applies
        driver.pipe("orders", "b", "1");
        assertThat(driver.stateAsLong("total")).isEqualTo(6);
    }

    @Test
    void aRecordWithoutSequenceHeadersIsAppliedAsAPlainProducersRecord() {
        summing();
        driver.pipeRaw("orders", null, "7".getBytes(StandardCharsets.UTF_8), null, 0);
        assertThat(driver.stateAsLong("total")).isEqualTo(7);
    }

    @Test
    void aThrowingHandlerHasItsStateChangesAndSendsUndone() {
        summing();
        driver.pipe("orders", "a", "5");
        driver.pipe("orders", "b", "boom");

        assertThat(driver.stateAsLong("total")).isEqualTo(5);
        assertThat(driver.stateAsLong("count")).isEqualTo(1);
        assertThat(driver.sentValues("totals")).containsExactly("half-done", "5");
        assertThat(driver.handlerFailures()).singleElement().isInstanceOf(NumberFormatException.class);
        assertThat(driver.meters().counter("kafkasnap.handler.failures", "process", "summer").count())
                .isEqualTo(1.0);
        // and the node goes on
        driver.pipe("orders", "c", "1");
        assertThat(driver.stateAsLong("total")).isEqualTo(6);
    }

    @Test
    void stateIsSeededAtStartAndBetweenSteps() {
        driver = HandlerTestDriver.builder("summer").incoming("orders", "refunds").outgoing("totals")
                .handler(HandlerTestDriverTest::sum).initialState("total", 100).initialState("name", "s").build();
        assertThat(driver.stateAsStrings()).containsEntry("total", "100").containsEntry("name", "s");

        driver.pipe("orders", "a", "5");
        assertThat(driver.stateAsLong("total")).isEqualTo(105);

        driver.putState("total", 0L);
        driver.deleteState("name");
        driver.pipe("orders", "a", "5");
        assertThat(driver.stateAsLong("total")).isEqualTo(5);
        assertThat(driver.state()).doesNotContainKey("name");
        assertThat(driver.state("missing")).isNull();
    }

    @Test
    void onStartRunsOnceAtStartAndSeesTheSeededState() {
        driver = HandlerTestDriver.builder("p").outgoing("out")
                .initialState("runs", 2)
                .onStart(ctx -> {
                    ctx.state().putLong("runs", ctx.state().getLong("runs", 0) + 1);
                    ctx.send("out", "hello".getBytes(StandardCharsets.UTF_8));
                })
                .build();
        assertThat(driver.stateAsLong("runs")).isEqualTo(3);
        assertThat(driver.sentValues("out")).containsExactly("hello");
    }

    @Test
    void advancingTimeFiresTimersAtTheirPeriod() {
        driver = HandlerTestDriver.builder("ticker").outgoing("beats")
                .timer(Duration.ofSeconds(1), ctx -> {
                    long n = ctx.state().getLong("ticks", 0) + 1;
                    ctx.state().putLong("ticks", n);
                    ctx.send("beats", Long.toString(n).getBytes(StandardCharsets.UTF_8));
                })
                .timer(Duration.ofSeconds(3), ctx -> ctx.state().putLong("slow", ctx.state().getLong("slow", 0) + 1))
                .build();
        java.time.Instant start = driver.now();

        driver.advanceTime(Duration.ofMillis(999));
        assertThat(driver.stateAsLong("ticks")).isNull();
        driver.advanceTime(Duration.ofMillis(1));
        assertThat(driver.stateAsLong("ticks")).isEqualTo(1);
        driver.advanceTime(Duration.ofSeconds(9));

        assertThat(driver.stateAsLong("ticks")).isEqualTo(10);
        assertThat(driver.stateAsLong("slow")).isEqualTo(3);
        assertThat(driver.sentValues("beats")).hasSize(10).endsWith("10");
        assertThat(Duration.between(start, driver.now())).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aThrowingTimerHasItsChangesUndone() {
        driver = HandlerTestDriver.builder("p").outgoing("out")
                .timer(Duration.ofSeconds(1), ctx -> {
                    ctx.state().putLong("n", 1);
                    ctx.send("out", "x".getBytes(StandardCharsets.UTF_8));
                    throw new IllegalStateException("timer fails");
                })
                .build();
        driver.advanceTime(Duration.ofSeconds(2));
        assertThat(driver.state()).isEmpty();
        assertThat(driver.sent("out")).isEmpty();
        assertThat(driver.handlerFailures()).hasSize(2).allMatch(e -> e.getMessage().equals("timer fails"));
    }

    @Test
    void aSnapshotCapturesTheStateAndTheNodeSendsItsMarkersHiddenFromTheAppView() {
        summing();
        driver.pipe("orders", "a", "5");

        LocalSnapshot snapshot = driver.snapshot();

        assertThat(snapshot.stateAsLong("total")).isEqualTo(5);
        assertThat(snapshot.allRecorded()).isEmpty();
        assertThat(driver.sentValues("totals")).containsExactly("half-done", "5");
        assertThat(driver.outgoingLog("totals")).filteredOn(TestRecord::isMarker).singleElement()
                .satisfies(m -> assertThat(m.header("kafkasnap-marker")).isEqualTo(Long.toString(snapshot.snapshot())));
        assertThat(driver.controlLog()).anyMatch(r -> r instanceof ControlRecord.Trigger);
        assertThat(driver.controlLog()).noneMatch(r -> r instanceof ControlRecord.Abort);
        // the state goes on changing; the snapshot does not
        driver.pipe("orders", "b", "1");
        assertThat(snapshot.stateAsLong("total")).isEqualTo(5);
    }

    @Test
    void recordsArrivingBetweenTheCaptureAndTheMarkerAreRecordedAsInFlight() {
        summing();
        driver.pipe("orders", "a", "5");

        HandlerTestDriver.SnapshotInProgress inProgress = driver.beginSnapshot();
        driver.pipe("orders", "b", "2");
        inProgress.markerArrives("orders");
        driver.pipe("orders", "c", "100"); // after the marker: not in flight
        driver.pipe("refunds", "d", "-1"); // before its channel's marker: in flight
        LocalSnapshot snapshot = inProgress.complete();

        assertThat(snapshot.stateAsLong("total")).isEqualTo(5);
        assertThat(snapshot.recorded("orders")).extracting(TestRecord::valueAsString).containsExactly("2");
        assertThat(snapshot.recorded("refunds")).extracting(TestRecord::valueAsString).containsExactly("-1");
        assertThat(driver.stateAsLong("total")).isEqualTo(106);
    }

    @Test
    void restoreBringsBackTheSnapshotsStateAndReplaysItsInFlightMessages() {
        summing();
        driver.pipe("orders", "a", "5");
        HandlerTestDriver.SnapshotInProgress inProgress = driver.beginSnapshot();
        driver.pipe("orders", "b", "2");
        LocalSnapshot snapshot = inProgress.complete();
        driver.pipe("orders", "c", "50");
        assertThat(driver.stateAsLong("total")).isEqualTo(57);
        driver.readSent("totals");

        driver.restore(snapshot);

        // the state of the snapshot (5), then the recorded message (2) handed to the handler again
        assertThat(driver.stateAsLong("total")).isEqualTo(7);
        assertThat(driver.readSent("totals")).extracting(TestRecord::valueAsString).containsExactly("half-done", "7");
        assertThat(driver.epoch()).isPositive();
        assertThat(driver.outgoingLog("totals")).filteredOn(TestRecord::isFence).singleElement()
                .satisfies(f -> assertThat(f.epoch()).hasValue(driver.epoch()));
        assertThat(driver.controlLog()).anyMatch(r -> r instanceof ControlRecord.Restored restored
                && restored.process().equals("summer") && restored.snapshot() == snapshot.snapshot());

        // the senders are in the new epoch too: their records apply, and an old-epoch re-send does not
        TestRecord fresh = driver.pipe("orders", "d", "1");
        assertThat(fresh.epoch()).hasValue(driver.epoch());
        assertThat(driver.stateAsLong("total")).isEqualTo(8);
        driver.pipeRaw("orders", null, "1000".getBytes(StandardCharsets.UTF_8),
                driver.incomingLog("orders").get(0).headers(), 0);
        assertThat(driver.stateAsLong("total")).isEqualTo(8);
    }

    @Test
    void restoreDropsStateKeysTheSnapshotDidNotHave() {
        summing();
        LocalSnapshot empty = driver.snapshot();
        driver.pipe("orders", "a", "5");

        driver.restore(empty);

        assertThat(driver.state()).isEmpty();
    }

    @Test
    void aHandMadeSnapshotIsRestored() {
        summing();
        driver.pipe("orders", "a", "5");

        driver.restore(LocalSnapshot.ofStrings(Map.of("total", "40", "count", "4")));

        assertThat(driver.stateAsStrings()).isEqualTo(Map.of("count", "4", "total", "40"));
        driver.pipe("orders", "b", "2");
        assertThat(driver.stateAsLong("total")).isEqualTo(42);
        assertThat(driver.stateAsLong("count")).isEqualTo(5);
    }

    @Test
    void aSnapshotOfAnotherDriverIsRestored() {
        summing();
        driver.pipe("orders", "a", "5");
        LocalSnapshot snapshot = driver.snapshot();

        try (HandlerTestDriver other = HandlerTestDriver.builder("summer").incoming("orders", "refunds")
                .outgoing("totals").handler(HandlerTestDriverTest::sum).build()) {
            other.pipe("orders", "x", "1");
            other.pipe("orders", "x", "1");
            other.restore(snapshot);
            assertThat(other.stateAsLong("total")).isEqualTo(5);
        }
    }

    @Test
    void aSnapshotRecordingLongerThanTheTimeoutIsGivenUp() {
        driver = HandlerTestDriver.builder("summer").incoming("orders").outgoing("totals")
                .handler(HandlerTestDriverTest::sum).snapshotTimeout(Duration.ofSeconds(5)).build();
        HandlerTestDriver.SnapshotInProgress inProgress = driver.beginSnapshot();

        driver.advanceTime(Duration.ofSeconds(6));

        assertThatThrownBy(inProgress::complete).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timed-out").hasMessageContaining("orders");
        assertThat(driver.controlLog()).anyMatch(r -> r instanceof ControlRecord.Abort a
                && a.snapshot() == inProgress.id());
    }

    @Test
    void unknownChannelsAndClosedDriversAreRefused() {
        summing();
        assertThatThrownBy(() -> driver.pipe("nope", "k", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope").hasMessageContaining("orders");
        assertThatThrownBy(() -> driver.sent("orders")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an outgoing channel");
        driver.close();
        assertThatThrownBy(() -> driver.pipe("orders", "k", "v")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aHandlerSendingOnAChannelItDoesNotHaveFailsAndIsUndone() {
        driver = HandlerTestDriver.builder("p").incoming("in").outgoing("out")
                .handler((ctx, r) -> {
                    ctx.state().putLong("n", 1);
                    ctx.send("elsewhere", r.value());
                }).build();
        driver.pipe("in", "k", "v");
        assertThat(driver.state()).isEmpty();
        assertThat(driver.handlerFailures()).singleElement().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChannelCannotBeBothIncomingAndOutgoing() {
        assertThatThrownBy(() -> HandlerTestDriver.builder("p").incoming("a").outgoing("a").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[a]");
    }
}
