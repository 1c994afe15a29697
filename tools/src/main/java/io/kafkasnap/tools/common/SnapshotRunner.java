package io.kafkasnap.tools.common;

import java.time.Duration;
import java.util.Optional;

/** Triggers a snapshot through the control topic and waits for it to be assembled from the collection topic. */
public final class SnapshotRunner {

    /**
     * @param id      the snapshot id (the trigger's offset)
     * @param view    the assembled snapshot, empty if it did not come within the timeout
     * @param elapsed from just before writing the trigger to the moment the assembled snapshot was read here
     */
    public record Taken(long id, Optional<SnapshotView> view, Duration elapsed) {
    }

    private final TriggerPublisher publisher;
    private final SnapshotFeed feed;

    public SnapshotRunner(TriggerPublisher publisher, SnapshotFeed feed) {
        this.publisher = publisher;
        this.feed = feed;
    }

    public Taken take(Optional<String> initiator, Duration timeout) {
        long begin = System.nanoTime();
        long id = publisher.trigger(initiator);
        Optional<SnapshotView> view = feed.await(id, timeout);
        return new Taken(id, view, Duration.ofNanos(System.nanoTime() - begin));
    }

    public Taken take(Duration timeout) {
        return take(Optional.empty(), timeout);
    }
}
