package io.kafkasnap.node;

import io.kafkasnap.collect.Chunks;
import io.kafkasnap.collect.Fragment;
import io.kafkasnap.collect.FragmentKey;
import io.kafkasnap.collect.FragmentStream;
import io.kafkasnap.kafka.Markers;
import io.kafkasnap.protocol.Controller;
import io.kafkasnap.protocol.LocalSnapshot;
import io.kafkasnap.protocol.Rejection;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.RecordedRecord;
import io.kafkasnap.store.StateCapture;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.Timer.Sample;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol's port at a running node: what the core asks for (capture the state, send markers, keep a record,
 * publish a fragment), done with the node's store and producer. Called on the event loop. Capturing the state is a
 * RocksDB snapshot, O(1); the work that costs the state's size (reading the capture out, encoding and sending the
 * fragment) runs on the fragment worker, streaming entry by entry and chunk by chunk, so memory stays flat whatever
 * the state's size. Its outcome comes back to the loop as a task.
 */
final class SnapshotSteps implements Controller {

    /** What the steps need of the event loop. */
    interface Loop {
        /** Runs {@code task} on the loop; safe from any thread. */
        void post(Runnable task);

        /** Stops the node for good, saying why. */
        void fail(String what, Throwable cause);

        SnapshotProtocol protocol();

        /** The app record the loop is handing to the protocol right now. */
        ConsumerRecord<byte[], byte[]> current();
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final Set<String> outgoing;
    private final String collectionTopic;
    private final int chunkBytes;
    private final NodeStore store;
    private final Producer<byte[], byte[]> producer;
    private final Executor worker;
    private final Loop loop;
    private final Clock clock = Clock.systemUTC();
    /** The captured state of every snapshot in flight, read when its fragment is written. */
    private final Map<Long, StateCapture> captures = new HashMap<>();
    private final Map<Long, Long> recordedAt = new HashMap<>();
    private final Map<Long, Sample> snapshotTimers = new HashMap<>();

    private final MeterRegistry meters;
    private final Counter recorded;
    private final Counter fragments;
    private final DistributionSummary fragmentBytes;
    private final Timer snapshotDuration;

    SnapshotSteps(String processId, Set<String> outgoing, String collectionTopic, int chunkBytes, NodeStore store,
                  Producer<byte[], byte[]> producer, Executor worker, Loop loop, MeterRegistry meters) {
        this.processId = processId;
        this.outgoing = outgoing;
        this.collectionTopic = collectionTopic;
        this.chunkBytes = chunkBytes;
        this.store = store;
        this.producer = producer;
        this.worker = worker;
        this.loop = loop;
        this.meters = meters;
        String[] tags = {"process", processId};
        this.recorded = meters.counter("kafkasnap.records.recorded", tags);
        this.fragments = meters.counter("kafkasnap.fragments.published", tags);
        this.fragmentBytes = DistributionSummary.builder("kafkasnap.fragment.bytes").tags(tags).baseUnit("bytes")
                .register(meters);
        this.snapshotDuration = Timer.builder("kafkasnap.snapshot.local")
                .description("from recording the local state to publishing the fragment").tags(tags)
                .register(meters);
    }

    @Override
    public void recordLocalState(long snapshot) {
        recordedAt.put(snapshot, clock.millis());
        snapshotTimers.put(snapshot, Timer.start(meters));
        // The capture must show exactly the records before the current positions, so both go in one write.
        store.putPositions(loop.protocol().positions());
        // O(1), and it stays readable: the state is read out only when the fragment is written, entry by entry.
        captures.put(snapshot, store.capture());
        loop.post(() -> loop.protocol().onLocalStateRecorded(snapshot));
    }

    @Override
    public void sendMarkers(long snapshot) {
        for (String channel : outgoing) {
            producer.send(Markers.marker(channel, snapshot), (metadata, error) -> {
                if (error != null) {
                    loop.post(() -> loop.fail("sending the marker of snapshot " + snapshot + " on " + channel
                            + " failed", error));
                } else {
                    loop.post(() -> loop.protocol().onMarkerSent(snapshot, channel, metadata.offset()));
                }
            });
        }
    }

    @Override
    public void recordChannelRecord(long snapshot, String channel, long offset) {
        store.putRecorded(snapshot, channel, offset, loop.current().key(), loop.current().value());
        recorded.increment();
    }

    @Override
    public void fragmentComplete(LocalSnapshot local) {
        long snapshot = local.snapshot();
        store.commit();
        List<RecordedRecord> records = store.recorded(snapshot);
        StateCapture capture = captures.remove(snapshot);
        long at = recordedAt.remove(snapshot);
        Sample sample = snapshotTimers.remove(snapshot);
        worker.execute(() -> {
            try (capture) {
                AtomicInteger acked = new AtomicInteger();
                Map<String, Fragment.InChannel> in = inChannels(local, records);
                Map<String, Fragment.OutChannel> out = new TreeMap<>();
                local.out().forEach((channel, offset) -> out.put(channel, new Fragment.OutChannel(offset)));
                Chunks.stream(collectionTopic, new FragmentKey(snapshot, processId), chunkBytes,
                        json -> FragmentStream.write(json, snapshot, processId, at, capture::forEach, in, out),
                        (chunk, index, count) -> {
                            fragmentBytes.record(chunk.value().length);
                            producer.send(chunk, (metadata, error) -> {
                                if (error != null) {
                                    loop.post(() -> loop.fail("publishing the fragment of snapshot " + snapshot
                                            + " failed", error));
                                } else if (acked.incrementAndGet() == count) {
                                    loop.post(() -> {
                                        store.deleteRecorded(snapshot);
                                        fragments.increment();
                                        sample.stop(snapshotDuration);
                                        log.debug("{}: published its fragment of snapshot {} in {} chunk(s)",
                                                processId, snapshot, count);
                                    });
                                }
                            });
                        });
            } catch (Throwable t) {
                loop.post(() -> loop.fail("building the fragment of snapshot " + snapshot + " failed", t));
            }
        });
    }

    /** Releases the captures of snapshots still in flight; before the store closes. */
    void releaseCaptures() {
        captures.values().forEach(StateCapture::close);
        captures.clear();
    }

    @Override
    public void rejected(Rejection reason, String detail) {
        meters.counter("kafkasnap.protocol.rejections", "process", processId, "reason", reason.name()).increment();
        log.warn("{}: ignored {}: {}", processId, detail, reason.message());
    }

    private static Map<String, Fragment.InChannel> inChannels(LocalSnapshot local, List<RecordedRecord> records) {
        Map<String, List<Fragment.Message>> messages = new HashMap<>();
        for (RecordedRecord r : records) {
            messages.computeIfAbsent(r.channel(), c -> new ArrayList<>())
                    .add(Fragment.Message.of(r.offset(), r.key(), r.value()));
        }
        Map<String, Fragment.InChannel> in = new TreeMap<>();
        local.in().forEach((channel, cut) -> in.put(channel, new Fragment.InChannel(cut.recordedFrom(),
                cut.markerOffset(), messages.getOrDefault(channel, List.of()))));
        return in;
    }
}
