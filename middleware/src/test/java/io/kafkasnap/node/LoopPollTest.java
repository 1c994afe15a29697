package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.testing.KafkaFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event loop waits for its next timer instead of spinning towards it: a wait below a millisecond was once cut to
 * a 0 ms poll, so the loop polled over and over until the timer was due (tens of polls per firing of a 3 ms timer).
 */
class LoopPollTest {

    private static final int FIRINGS = 300;

    @TempDir
    Path dir;

    @Test
    void aNodeWithAFastTimerPollsAboutOncePerFiringNotContinuously() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger fired = new AtomicInteger();
        try (SnapshotNode node = SnapshotNode.builder()
                .processId("ticker")
                .kafkaProperties(KafkaFixture.clientProperties())
                .controlTopic(KafkaFixture.uniqueTopic("control"))
                .collectionTopic(KafkaFixture.uniqueTopic("fragments"))
                .stateDir(dir.resolve("ticker"))
                .timer(Duration.ofMillis(3), context -> fired.incrementAndGet())
                .meterRegistry(meters)
                .build()
                .start()) {
            double pollsAtStart = polls(meters);
            int firedAtStart = fired.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> fired.get() - firedAtStart >= FIRINGS);
            double polls = polls(meters) - pollsAtStart;
            int firings = fired.get() - firedAtStart;
            // One poll waits for each firing, another may return early for a client outcome (a status record's
            // acknowledgement); spinning made it dozens.
            assertThat(polls).as("polls over %d timer firings", firings).isLessThanOrEqualTo(3.0 * firings + 50);
        }
    }

    private static double polls(SimpleMeterRegistry meters) {
        return meters.get("kafkasnap.loop.polls").tag("process", "ticker").counter().count();
    }
}
