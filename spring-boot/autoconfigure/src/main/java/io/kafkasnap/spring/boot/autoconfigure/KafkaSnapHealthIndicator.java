package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.node.SnapshotNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * DOWN only when the node itself has failed: its event loop stopped on a fatal error, or it stopped running while
 * the context still runs it. A failed or aborted snapshot is no reason to restart the application: the snapshot
 * counts are details, and the node goes on with the next snapshot.
 */
public class KafkaSnapHealthIndicator implements HealthIndicator {

    private final SnapshotNodeLifecycle lifecycle;

    public KafkaSnapHealthIndicator(SnapshotNodeLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public Health health() {
        Optional<SnapshotNode> started = lifecycle.node();
        if (started.isEmpty()) {
            return Health.unknown().withDetail("process", lifecycle.processId()).withDetail("state", "not started")
                    .build();
        }
        SnapshotNode node = started.get();
        Optional<Throwable> failure = node.failure();
        Health.Builder health;
        if (failure.isPresent()) {
            Throwable t = failure.get();
            health = Health.down().withDetail("state", "failed")
                    .withDetail("failure", t.getClass().getName() + ": " + t.getMessage());
        } else if (lifecycle.isRunning() && !node.isRunning()) {
            health = Health.down().withDetail("state", "not running");
        } else if (!lifecycle.isRunning()) {
            health = Health.unknown().withDetail("state", "stopped");
        } else {
            health = Health.up().withDetail("state", "running");
        }
        health.withDetail("process", node.processId());
        MeterRegistry meters = lifecycle.meterRegistry();
        health.withDetail("snapshotsStarted", count(meters, "kafkasnap.snapshots.started", node.processId()));
        health.withDetail("snapshotsCompleted", count(meters, "kafkasnap.snapshots.completed", node.processId()));
        health.withDetail("snapshotsAborted", count(meters, "kafkasnap.snapshots.aborted", node.processId()));
        return health.build();
    }

    private static long count(MeterRegistry meters, String name, String process) {
        return (long) meters.find(name).tag("process", process).counters().stream().mapToDouble(Counter::count).sum();
    }
}
