package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.node.SnapshotNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the application's {@link SnapshotNode} with the application context: starts it (waiting until it has joined
 * the snapshot group and consumes) when the context starts, and closes it (announcing leaving, flushing the outbox
 * it can) within Spring's shutdown phase ({@code spring.lifecycle.timeout-per-shutdown-phase}). A node that has been
 * closed cannot run again, so a start after a stop builds a new node from the same configuration and state directory.
 */
public class SnapshotNodeLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotNodeLifecycle.class);

    private final Supplier<SnapshotNode> factory;
    private final String processId;
    private final MeterRegistry meterRegistry;
    private final boolean autoStartup;
    private final int phase;
    private SnapshotNode next;
    private volatile SnapshotNode node;
    private volatile boolean running;

    /**
     * @param first   a node built from the configuration, not started (it proved the configuration valid)
     * @param factory builds another such node, for a start after a stop
     */
    public SnapshotNodeLifecycle(SnapshotNode first, Supplier<SnapshotNode> factory, MeterRegistry meterRegistry,
                                 boolean autoStartup, int phase) {
        this.next = first;
        this.factory = factory;
        this.processId = first.processId();
        this.meterRegistry = meterRegistry;
        this.autoStartup = autoStartup;
        this.phase = phase;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        SnapshotNode starting = next != null ? next : factory.get();
        next = null;
        node = starting;
        starting.start();
        running = true;
    }

    @Override
    public void stop() {
        SnapshotNode stopping = beginStop();
        if (stopping != null) {
            stopping.close();
        }
    }

    @Override
    public void stop(Runnable callback) {
        SnapshotNode stopping = beginStop();
        if (stopping == null) {
            callback.run();
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                stopping.close();
            } catch (RuntimeException e) {
                LOG.warn("{} did not close cleanly: {}", processId, e.toString());
            } finally {
                callback.run();
            }
        }, "kafkasnap-stop-" + processId);
        thread.setDaemon(true);
        thread.start();
    }

    private synchronized SnapshotNode beginStop() {
        if (!running) {
            return null;
        }
        running = false;
        return node;
    }

    /** Whether the node was started by this lifecycle and not stopped since; a failed node still counts as running. */
    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    @Override
    public int getPhase() {
        return phase;
    }

    public String processId() {
        return processId;
    }

    /** The node last started, running or not; empty before the first start. */
    public Optional<SnapshotNode> node() {
        return Optional.ofNullable(node);
    }

    /** The registry the node's meters go to: the application's, or a private one when it has none. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }
}
