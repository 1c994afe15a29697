package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.kafkasnap.node.SnapshotNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The states a real broker does not produce on demand: a node whose event loop died. */
class KafkaSnapHealthIndicatorTest {

    @Test
    void downWhenTheNodeFailedWithTheFailureAsDetail() {
        SnapshotNode node = mock(SnapshotNode.class);
        when(node.processId()).thenReturn("b");
        SnapshotNodeLifecycle lifecycle = new SnapshotNodeLifecycle(node, () -> node, new SimpleMeterRegistry(),
                true, 0);
        lifecycle.start();
        when(node.isRunning()).thenReturn(true);
        when(node.failure()).thenReturn(Optional.empty());
        assertThat(new KafkaSnapHealthIndicator(lifecycle).health().getStatus()).isEqualTo(Status.UP);

        when(node.isRunning()).thenReturn(false);
        when(node.failure()).thenReturn(Optional.of(new IllegalStateException("store is gone")));
        Health health = new KafkaSnapHealthIndicator(lifecycle).health();
        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("state", "failed")
                .containsEntry("failure", "java.lang.IllegalStateException: store is gone");
    }

    @Test
    void downWhenTheNodeStoppedWhileTheContextRunsIt() {
        SnapshotNode node = mock(SnapshotNode.class);
        when(node.processId()).thenReturn("b");
        when(node.failure()).thenReturn(Optional.empty());
        SnapshotNodeLifecycle lifecycle = new SnapshotNodeLifecycle(node, () -> node, new SimpleMeterRegistry(),
                true, 0);
        lifecycle.start();
        when(node.isRunning()).thenReturn(false);
        assertThat(new KafkaSnapHealthIndicator(lifecycle).health().getStatus()).isEqualTo(Status.DOWN);
        lifecycle.stop();
        assertThat(new KafkaSnapHealthIndicator(lifecycle).health().getStatus()).isEqualTo(Status.UNKNOWN);
    }
}
