package io.kafkasnap.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example of the README's "Testing your handlers", as written there. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleHolds() {
        try (HandlerTestDriver driver = HandlerTestDriver.builder("counter")
                .incoming("orders").outgoing("totals")
                .handler((ctx, record) -> {
                    long total = ctx.state().getLong("total", 0) + Long.parseLong(new String(record.value(), UTF_8));
                    ctx.state().putLong("total", total);
                    ctx.send("totals", Long.toString(total).getBytes(UTF_8));
                })
                .timer(Duration.ofSeconds(1), ctx -> ctx.state().putLong("ticks", ctx.state().getLong("ticks", 0) + 1))
                .initialState("total", 0)
                .build()) {
            TestRecord first = driver.pipe("orders", "a", "5");
            driver.resend(first);
            assertThat(driver.stateAsLong("total")).isEqualTo(5);
            assertThat(driver.readSent("totals")).extracting(TestRecord::valueAsString).containsExactly("5");

            driver.pipe("orders", "b", "not a number");
            assertThat(driver.handlerFailures()).hasSize(1);
            assertThat(driver.stateAsLong("total")).isEqualTo(5);

            driver.advanceTime(Duration.ofSeconds(3));
            assertThat(driver.stateAsLong("ticks")).isEqualTo(3);

            var inProgress = driver.beginSnapshot();
            driver.pipe("orders", "c", "2");
            LocalSnapshot snapshot = inProgress.complete();
            assertThat(snapshot.stateAsLong("total")).isEqualTo(5);
            assertThat(snapshot.recorded("orders")).hasSize(1);

            driver.pipe("orders", "d", "100");
            driver.restore(snapshot);
            assertThat(driver.stateAsLong("total")).isEqualTo(7);
        }
    }
}
