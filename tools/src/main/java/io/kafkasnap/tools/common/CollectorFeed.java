package io.kafkasnap.tools.common;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** A {@link SnapshotFeed} over the middleware's {@link SnapshotCollector}. */
public final class CollectorFeed implements SnapshotFeed {

    private final SnapshotCollector collector;

    private CollectorFeed(SnapshotCollector collector) {
        this.collector = collector;
    }

    /**
     * @param timeout how long the assembler waits for a snapshot's fragments before reporting it timed-out
     */
    public static CollectorFeed open(Map<String, Object> kafkaProperties, String controlTopic, String collectionTopic,
                                     Duration timeout) {
        return open(kafkaProperties, controlTopic, collectionTopic, timeout, Integer.MAX_VALUE);
    }

    /** @param keepInFull how many of the last snapshots {@link #all()} and {@link #await} can still return */
    public static CollectorFeed open(Map<String, Object> kafkaProperties, String controlTopic, String collectionTopic,
                                     Duration timeout, int keepInFull) {
        return open(kafkaProperties, controlTopic, collectionTopic, timeout, keepInFull, Optional.empty());
    }

    /**
     * @param keepInFull how many of the last snapshots {@link #all()} and {@link #await} can still return
     * @param since      assemble only the snapshots triggered from then on (see {@link SnapshotCollector.Builder#since})
     */
    public static CollectorFeed open(Map<String, Object> kafkaProperties, String controlTopic, String collectionTopic,
                                     Duration timeout, int keepInFull, Optional<Instant> since) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        SnapshotCollector.Builder builder = SnapshotCollector.builder(props)
                .controlTopic(controlTopic)
                .collectionTopic(collectionTopic)
                .timeout(timeout)
                .keepInFull(keepInFull)
                // A feed hands each snapshot on as it is assembled and lists none: summaries go as far as full ones.
                .keepSummaries(keepInFull);
        since.ifPresent(builder::since);
        return new CollectorFeed(builder.build());
    }

    /** The design's JSON form of an assembled snapshot. */
    public static SnapshotView view(GlobalSnapshot snapshot) {
        return SnapshotView.parse(snapshot.toJson(false).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public List<SnapshotView> poll(Duration timeout) {
        List<SnapshotView> views = new ArrayList<>();
        for (GlobalSnapshot snapshot : collector.poll(timeout)) {
            views.add(view(snapshot));
        }
        return views;
    }

    @Override
    public Optional<SnapshotView> await(long id, Duration timeout) {
        return collector.await(id, timeout).map(CollectorFeed::view);
    }

    @Override
    public List<SnapshotView> all() {
        List<SnapshotView> views = new ArrayList<>();
        for (GlobalSnapshot snapshot : collector.all()) {
            views.add(view(snapshot));
        }
        return views;
    }

    @Override
    public void close() {
        collector.close();
    }
}
