package io.kafkasnap.engine;

import java.util.Map;
import java.util.Set;

/** Publishes the node's status for monitoring (DESIGN.md, "Status topic"); the protocol never reads it back. */
public interface StatusSink {

    void report(long at, long epoch, Map<String, Long> positions, int outbox, Set<Long> inFlight);

    /** At a clean stop: this node is gone, not down. */
    void tombstone();
}
