package io.kafkasnap.tools.common;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Global snapshots assembled from the collection topic, as {@link SnapshotView}s of the design's JSON.
 * One reader, not thread-safe: call from one thread.
 */
public interface SnapshotFeed extends AutoCloseable {

    /** Snapshots assembled since the last call (complete, incomplete or timed-out), waiting up to {@code timeout}. */
    List<SnapshotView> poll(Duration timeout);

    /** Snapshot {@code id} once assembled (whatever its status), or empty if it is not within {@code timeout}. */
    Optional<SnapshotView> await(long id, Duration timeout);

    /** Every snapshot assembled so far, by id. */
    List<SnapshotView> all();

    @Override
    void close();
}
