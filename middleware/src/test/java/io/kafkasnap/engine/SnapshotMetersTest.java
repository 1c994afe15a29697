package io.kafkasnap.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.protocol.AbortReason;
import io.kafkasnap.protocol.Rejection;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The node's snapshot meters as /metrics serves them (Prometheus text), before and after events. */
class SnapshotMetersTest {

    private final MockClock clock = new MockClock();
    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("series %s in%n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void capturePauseIsAHistogramWhoseBucketsStillCountACaptureLongAfterIt() {
        Timer pause = SnapshotSteps.capturePause(registry, "a");
        pause.record(3, TimeUnit.MILLISECONDS);
        pause.record(40, TimeUnit.MILLISECONDS);
        // client-side percentiles would read 0.0 here: no capture in their last two minutes
        clock.add(10, TimeUnit.MINUTES);
        String scrape = registry.scrape();
        String series = "kafkasnap_capture_pause_seconds_bucket{process=\"a\",le=\"%s\"}";
        assertThat(value(scrape, series.formatted("0.0025"))).isZero();
        assertThat(value(scrape, series.formatted("0.005"))).isEqualTo(1);
        assertThat(value(scrape, series.formatted("0.05"))).isEqualTo(2);
        assertThat(value(scrape, series.formatted("+Inf"))).isEqualTo(2);
        assertThat(value(scrape, "kafkasnap_capture_pause_seconds_count{process=\"a\"}")).isEqualTo(2);
        assertThat(scrape).as("no quantile that decays to 0").doesNotContain("kafkasnap_capture_pause_seconds{");
    }

    @Test
    void everyAbortAndRejectionReasonIsServedAtZeroBeforeTheFirstEvent() {
        SnapshotSteps.capturePause(registry, "a");
        SnapshotSteps.registerReasonCounters(registry, "a");
        String scrape = registry.scrape();
        for (AbortReason reason : AbortReason.values()) {
            assertThat(value(scrape, "kafkasnap_snapshots_aborted_total{process=\"a\",reason=\"" + reason.wire()
                    + "\"}")).isZero();
        }
        for (Rejection reason : Rejection.values()) {
            assertThat(value(scrape, "kafkasnap_protocol_rejections_total{process=\"a\",reason=\"" + reason.name()
                    + "\"}")).isZero();
        }
        assertThat(value(scrape, "kafkasnap_capture_pause_seconds_count{process=\"a\"}")).isZero();
    }
}
