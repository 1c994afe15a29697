package io.kafkasnap.node;

import io.kafkasnap.engine.FragmentSink;
import io.kafkasnap.engine.Time;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.FragmentStream;
import io.kafkasnap.format.Timeline;
import io.kafkasnap.format.TimelineStamps;
import io.kafkasnap.protocol.LocalSnapshot;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.RecordedRecord;
import io.kafkasnap.store.StateCapture;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes fragments on its own thread and its own producer, so that a large fragment never delays app sends and a
 * fragment that cannot be published (too large for the topic, broker away past the delivery timeout) fails only its
 * snapshot. The state is streamed from the capture entry by entry and cut into chunks on the fly, so memory stays
 * flat whatever the state's size. Work is cancellable; {@link #close()} cancels it and waits for it, so the store
 * is never closed under a capture that is still being read.
 */
final class FragmentPublisher implements FragmentSink, AutoCloseable {

    /** Outcomes, called on the publisher's or the producer's thread: post them to the loop. */
    interface Outcome {
        void published(long snapshot, int chunks, long bytes);

        void failed(long snapshot, Throwable cause);
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final String collectionTopic;
    private final int chunkBytes;
    private final NodeStore store;
    private final Producer<byte[], byte[]> producer;
    private final Outcome outcome;
    private final ExecutorService worker;
    private final Map<Long, AtomicBoolean> cancelled = new ConcurrentHashMap<>();
    private final DistributionSummary fragmentBytes;
    private final Timer publishDuration;
    private final io.micrometer.core.instrument.Counter incrementalPublished;
    private final Time time;
    /** Every how many fragments one is full; 1 for all. */
    private final int fullEvery;
    /** The capture of the latest fragment acknowledged whole, if incremental fragments are on; worker thread only. */
    private Base base;

    /** A published fragment's capture that the next incremental fragment is the difference from. */
    private record Base(long snapshot, StateCapture capture, long offset, long fullOffset, int depth) {
        Fragment.Base wire() {
            return new Fragment.Base(snapshot, offset, fullOffset);
        }
    }

    FragmentPublisher(String processId, String collectionTopic, int chunkBytes, int fullEvery, NodeStore store,
                      Producer<byte[], byte[]> producer, Outcome outcome, MeterRegistry meters, Time time) {
        this.time = time;
        this.processId = processId;
        this.collectionTopic = collectionTopic;
        this.chunkBytes = chunkBytes;
        this.fullEvery = fullEvery;
        this.store = store;
        this.producer = producer;
        this.outcome = outcome;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kafkasnap-" + processId + "-fragments");
            t.setDaemon(true);
            return t;
        });
        this.fragmentBytes = DistributionSummary.builder("kafkasnap.fragment.bytes").tags("process", processId)
                .baseUnit("bytes").description("size of a published fragment").register(meters);
        this.incrementalPublished = io.micrometer.core.instrument.Counter.builder("kafkasnap.fragments.incremental")
                .tags("process", processId)
                .description("fragments published with only the keys changed since their base").register(meters);
        this.publishDuration = Timer.builder("kafkasnap.fragment.publish").tags("process", processId)
                .description("from handing a fragment over to the last chunk acknowledged").register(meters);
    }

    /**
     * Publishes the fragment of {@code local}; takes ownership of {@code capture} and releases it when done (or keeps
     * it as the base of the next incremental fragment). The records kept for the snapshot must be committed.
     */
    @Override
    public void publish(LocalSnapshot local, StateCapture capture, Timeline.OnLoop onLoop,
                        Map<String, long[]> applied) {
        long snapshot = local.snapshot();
        long recordedAt = onLoop.captured();
        AtomicBoolean cancel = new AtomicBoolean();
        cancelled.put(snapshot, cancel);
        long start = System.nanoTime();
        worker.execute(() -> {
            // Released here unless handed on as the next base (adopt), which then owns it.
            boolean keep = false;
            try {
                if (cancel.get()) {
                    return;
                }
                Base base = this.base != null && this.base.depth + 1 < fullEvery ? this.base : null;
                List<RecordedRecord> records = store.recorded(snapshot);
                Map<String, Fragment.InChannel> in = inChannels(local, records, applied);
                Map<String, Fragment.OutChannel> out = new TreeMap<>();
                local.out().forEach((channel, offset) -> out.put(channel, new Fragment.OutChannel(offset)));
                AtomicInteger acked = new AtomicInteger();
                AtomicBoolean failed = new AtomicBoolean();
                long[] bytes = {0};
                long[] firstOffset = {-1};
                TimelineStamps stamps = new TimelineStamps(onLoop, time::millis);
                keep = fullEvery > 1;
                Chunks.stream(collectionTopic, new FragmentKey(snapshot, processId), chunkBytes,
                        json -> {
                            if (base == null) {
                                FragmentStream.write(json, snapshot, processId, recordedAt, capture::forEach, in, out,
                                        stamps);
                            } else {
                                FragmentStream.writeIncremental(json, snapshot, processId, recordedAt, base.wire(),
                                        (changed, removed) -> capture.forEachChangeSince(base.capture, changed,
                                                removed), in, out, stamps);
                            }
                        },
                        (chunk, index, count) -> {
                            if (cancel.get()) {
                                throw new CancellationException("snapshot " + snapshot + " was given up");
                            }
                            bytes[0] += chunk.value().length;
                            producer.send(chunk, (metadata, error) -> {
                                if (error != null) {
                                    if (failed.compareAndSet(false, true)) {
                                        cancelled.remove(snapshot);
                                        release(capture);
                                        outcome.failed(snapshot, error);
                                    }
                                    return;
                                }
                                if (index == 0) {
                                    firstOffset[0] = metadata.offset();
                                }
                                if (acked.incrementAndGet() == count && !failed.get()) {
                                    cancelled.remove(snapshot);
                                    if (base != null) {
                                        incrementalPublished.increment();
                                    }
                                    fragmentBytes.record(bytes[0]);
                                    publishDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                                    if (fullEvery > 1) {
                                        adopt(snapshot, capture, firstOffset[0], base);
                                    }
                                    outcome.published(snapshot, count, bytes[0]);
                                }
                            });
                        });
            } catch (CancellationException e) {
                log.debug("{}: stopped publishing the fragment of snapshot {}: {}", processId, snapshot,
                        e.getMessage());
                release(capture);
            } catch (Throwable t) {
                cancelled.remove(snapshot);
                release(capture);
                if (!cancel.get()) {
                    outcome.failed(snapshot, t);
                }
            } finally {
                if (!keep) {
                    capture.close();
                }
            }
        });
    }

    /**
     * Makes the capture of {@code snapshot}, whose fragment is acknowledged whole, the base of the next incremental
     * fragment, unless one published after it is already (by topic position: snapshots finish in any order). Called on the producer's thread; the swap runs on the worker, the only
     * thread that reads a base, so a base is never released under a read.
     */
    private void adopt(long snapshot, StateCapture capture, long firstOffset, Base from) {
        Runnable swap = () -> {
            if (base != null && base.offset > firstOffset) {
                capture.close();
                return;
            }
            Base previous = base;
            base = from == null ? new Base(snapshot, capture, firstOffset, firstOffset, 0)
                    : new Base(snapshot, capture, firstOffset, from.fullOffset, from.depth + 1);
            if (previous != null) {
                previous.capture.close();
            }
        };
        try {
            worker.execute(swap);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            capture.close(); // the publisher is closing: there is no next fragment
        }
    }

    /** Releases a capture that will not become a base; on whatever thread finds out. */
    private void release(StateCapture capture) {
        if (fullEvery > 1) {
            try {
                worker.execute(capture::close);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                capture.close();
            }
        }
    }

    /** Stops publishing {@code snapshot}'s fragment, if it is under way; chunks already sent stay sent. */
    @Override
    public void cancel(long snapshot) {
        AtomicBoolean cancel = cancelled.remove(snapshot);
        if (cancel != null) {
            cancel.set(true);
        }
    }

    /** Cancels every fragment under way and waits until none reads a capture any more. */
    @Override
    public void close() {
        cancelled.values().forEach(c -> c.set(true));
        worker.shutdown();
        try {
            while (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
                log.info("{}: waiting for the fragment worker to stop", processId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (base != null) {
            base.capture.close();
            base = null;
        }
    }

    private static Map<String, Fragment.InChannel> inChannels(LocalSnapshot local, List<RecordedRecord> records,
                                                              Map<String, long[]> applied) {
        Map<String, List<Fragment.Message>> messages = new HashMap<>();
        for (RecordedRecord r : records) {
            messages.computeIfAbsent(r.channel(), c -> new ArrayList<>())
                    .add(Fragment.Message.of(r.offset(), r.key(), r.value(), r.headers().stream()
                            .<Map.Entry<String, byte[]>>map(h -> new java.util.AbstractMap.SimpleImmutableEntry<>(
                                    h.key(), h.value())).toList(), r.timestamp()));
        }
        Map<String, Fragment.InChannel> in = new TreeMap<>();
        // Only the channels the protocol waited for: records kept on a channel whose sender turned out not to be a
        // member are not part of the snapshot.
        local.in().forEach((channel, cut) -> {
            long[] last = applied.getOrDefault(channel, new long[] {-1, -1});
            in.put(channel, new Fragment.InChannel(cut.recordedFrom(), cut.markerOffset(),
                    messages.getOrDefault(channel, List.of()), last[0], last[1]));
        });
        return in;
    }
}
