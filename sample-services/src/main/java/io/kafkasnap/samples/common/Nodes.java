package io.kafkasnap.samples.common;

import io.kafkasnap.node.SnapshotNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starting and stopping several nodes at once. */
public final class Nodes {

    private static final Logger log = LoggerFactory.getLogger(Nodes.class);

    private Nodes() {
    }

    /** Starts every node in parallel; if one fails, closes all and rethrows its error. */
    public static void startAll(List<SnapshotNode> nodes) {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (SnapshotNode node : nodes) {
            starts.add(CompletableFuture.runAsync(node::start));
        }
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            closeAll(nodes);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    /** Closes every node in parallel (each announces leaving); logs, and does not throw, on failures. */
    public static void closeAll(List<SnapshotNode> nodes) {
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (SnapshotNode node : nodes) {
            closes.add(CompletableFuture.runAsync(() -> {
                try {
                    node.close();
                } catch (RuntimeException e) {
                    log.warn("Closing {} failed", node.processId(), e);
                }
            }));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).join();
    }

    /** Fails with the first node's fatal error, if any node has stopped on one. */
    public static void requireHealthy(List<SnapshotNode> nodes) {
        for (SnapshotNode node : nodes) {
            node.failure().ifPresent(f -> {
                throw new IllegalStateException(node.processId() + " stopped: " + f.getMessage(), f);
            });
        }
    }
}
