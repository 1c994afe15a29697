package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.node.SnapshotNode;

/**
 * Adds to the node's builder what properties cannot say: start tasks, timers, a handler other than the
 * {@code RecordHandler} bean. Called, in bean order, after the properties have been applied and each time the node is
 * built (at context start, and again after a stop and start).
 */
@FunctionalInterface
public interface SnapshotNodeCustomizer {
    void customize(SnapshotNode.Builder builder);
}
