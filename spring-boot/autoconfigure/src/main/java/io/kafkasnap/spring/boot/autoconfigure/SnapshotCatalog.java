package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.SnapshotCollector;
import io.kafkasnap.collect.SnapshotLookup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots of the group as the endpoint shows them: a {@link SnapshotCollector} on its own thread, started on
 * the first request, reads the control and collection topics and keeps the last few snapshots in full and a summary
 * of the last {@code keepSummaries}, assembling those triggered from {@code history} before the first request on.
 * A snapshot not kept in full is found with {@link SnapshotLookup}.
 */
public class SnapshotCatalog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCatalog.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(5);

    /** What the reader has assembled so far. */
    public record View(List<SnapshotCollector.Summary> summaries, Map<Long, GlobalSnapshot> full,
                       List<GlobalSnapshot> inProgress, String error) {
        static final View EMPTY = new View(List.of(), Map.of(), List.of(), null);
    }

    private final KafkaSnapGroup group;
    private final int keepInFull;
    private final int keepSummaries;
    private final Duration history;
    private Instant since;
    private volatile View view = View.EMPTY;
    private volatile boolean closed;
    private Thread thread;

    public SnapshotCatalog(KafkaSnapGroup group, int keepInFull, int keepSummaries, Duration history) {
        if (keepInFull < 1 || keepSummaries < 1) {
            throw new IllegalArgumentException("kafkasnap.endpoint.keep-in-full and keep-summaries must be at least 1,"
                    + " were " + keepInFull + " and " + keepSummaries);
        }
        if (history.isNegative()) {
            throw new IllegalArgumentException("kafkasnap.endpoint.history must not be negative, was " + history);
        }
        this.group = group;
        this.keepInFull = keepInFull;
        this.keepSummaries = keepSummaries;
        this.history = history;
    }

    /** What has been read so far; the first call starts the reader. */
    public View view() {
        ensureStarted();
        return view;
    }

    /**
     * One snapshot: as assembled by the reader, or in progress, or else looked up on the topics.
     *
     * @return empty if the id is not the offset of a trigger on the control topic
     */
    public Optional<GlobalSnapshot> find(long snapshot) {
        View current = view();
        GlobalSnapshot full = current.full().get(snapshot);
        if (full != null) {
            return Optional.of(full);
        }
        for (GlobalSnapshot s : current.inProgress()) {
            if (s.snapshot() == snapshot) {
                return Optional.of(s);
            }
        }
        return SnapshotLookup.find(group.clientProperties().asProperties(), group.controlTopic(),
                group.collectionTopic(), snapshot, Long.MAX_VALUE);
    }

    private synchronized void ensureStarted() {
        if (thread == null && !closed) {
            // Fixed once: a reader restarted after an error assembles the same history again.
            since = Instant.now().minus(history);
            thread = new Thread(this::run, "kafkasnap-endpoint-reader");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        while (!closed) {
            try (SnapshotCollector collector = SnapshotCollector.builder(group.clientProperties().asProperties())
                    .controlTopic(group.controlTopic())
                    .collectionTopic(group.collectionTopic())
                    .timeout(group.snapshotTimeout().plus(SnapshotCollector.DEFAULT_TIMEOUT)
                            .minus(Duration.ofSeconds(60)))
                    .keepInFull(keepInFull)
                    .keepSummaries(keepSummaries)
                    .since(since)
                    .build()) {
                while (!closed) {
                    collector.poll(POLL);
                    view = new View(collector.summaries(),
                            collector.all().stream().collect(Collectors.toUnmodifiableMap(GlobalSnapshot::snapshot,
                                    Function.identity())),
                            collector.inProgress(), null);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("reading snapshots of {} failed, again in {}: {}", group.controlTopic(), RETRY, e.toString());
                View last = view;
                view = new View(last.summaries(), last.full(), last.inProgress(), e.toString());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY.toMillis()));
            }
        }
    }

    @Override
    public void close() {
        Thread reader;
        synchronized (this) {
            closed = true;
            reader = thread;
        }
        if (reader != null) {
            try {
                reader.join(POLL.multipliedBy(4).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
