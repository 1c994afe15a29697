package io.kafkasnap.node;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.OutboxEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends committed outbox entries in order through the node's idempotent producer and deletes each once Kafka has
 * acknowledged it. Only the loop calls it; acknowledgements arrive on the producer's thread and are picked up by
 * the next step. A retriable failure (the broker was away past the delivery timeout) replaces the producer and sends
 * every unacknowledged entry again, in order: receivers drop what had arrived already by its sequence number. A
 * permanent one (record too large, not authorised) stops the node naming the channel, so a channel never has a gap.
 */
final class OutboxDrainer implements AutoCloseable {

    /** What the drainer reports to the loop; called on the producer's thread. */
    interface Listener {
        void markerAcknowledged(long snapshot, String channel, long offset);

        void permanentFailure(String channel, Exception cause);

        /** Something the loop should pick up soon (acknowledgements that free the outbox, a reset). */
        void wake();
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Listener listener;
    private final int maxRecords;
    private final ConcurrentSkipListMap<Long, OutboxEntry> unacknowledged = new ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    private Producer<byte[], byte[]> producer;
    private volatile int generation;
    private volatile int resetRequested = -1;
    private boolean saidFull;
    private int episodesFull;

    OutboxDrainer(String processId, Supplier<Producer<byte[], byte[]>> producers, Listener listener, int maxRecords) {
        this.processId = processId;
        this.producers = producers;
        this.listener = listener;
        this.maxRecords = maxRecords;
        this.producer = producers.get();
    }

    /** Sends entries whose step has committed, after every entry handed over before. */
    void send(List<OutboxEntry> entries) {
        for (OutboxEntry entry : entries) {
            unacknowledged.put(entry.id(), entry);
            if (resetRequested < 0) {
                send(entry, generation);
            }
        }
    }

    private void send(OutboxEntry entry, int sentIn) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(entry.channel(), 0, null, entry.key(),
                entry.value(), ChannelHeaders.of(entry.epoch(), entry.seq(), entry.marker(), entry.fence()));
        producer.send(record, callback(entry, sentIn));
    }

    private Callback callback(OutboxEntry entry, int sentIn) {
        return (metadata, error) -> {
            if (error == null) {
                if (unacknowledged.remove(entry.id()) != null) {
                    acknowledged.add(entry.id());
                    if (entry.isMarker()) {
                        listener.markerAcknowledged(entry.marker(), entry.channel(), metadata.offset());
                    }
                }
                if (unacknowledged.size() < maxRecords) {
                    listener.wake();
                }
            } else if (sentIn != generation) {
                return; // a send of a replaced producer; its entry is being sent again
            } else if (error instanceof RetriableException || resetRequested == sentIn) {
                // Later sends of the same producer fail behind the first; one reset covers them all.
                if (resetRequested != sentIn) {
                    log.warn("{}: sending on {} failed ({}); sending every unacknowledged record again with a new"
                            + " producer", processId, entry.channel(), error.toString());
                }
                resetRequested = sentIn;
                listener.wake();
            } else {
                listener.permanentFailure(entry.channel(), error);
            }
        };
    }

    /** On the loop, at the start of a step: replaces the producer after a retriable failure and sends again. */
    void resetIfRequested() {
        if (resetRequested != generation) {
            return;
        }
        Producer<byte[], byte[]> old = producer;
        generation++;
        old.close(Duration.ZERO);
        producer = producers.get();
        resetRequested = -1;
        List<OutboxEntry> again = new ArrayList<>(unacknowledged.values());
        log.info("{}: sending {} unacknowledged record(s) again", processId, again.size());
        again.forEach(entry -> send(entry, generation));
    }

    /**
     * Forgets every entry not yet acknowledged and replaces the producer, for a restore: what the old epoch had not
     * sent is never sent, and what it had in flight lands before or after the fences, where receivers drop it.
     */
    void discardAll() {
        generation++;
        producer.close(Duration.ZERO);
        producer = producers.get();
        resetRequested = -1;
        unacknowledged.clear();
        acknowledged.clear();
    }

    /** Deletes acknowledged entries within the current step. */
    void deleteAcknowledged(NodeStore store) {
        Long id;
        while ((id = acknowledged.poll()) != null) {
            store.deleteOutbox(id);
        }
    }

    /** Records sent and not yet acknowledged. */
    int depth() {
        return unacknowledged.size();
    }

    /**
     * Whether the loop must stop taking input until the drainer catches up; says so in the log once per episode.
     *
     * @param pendingInStep records the current step appended and has not committed yet
     */
    boolean isFull(int pendingInStep) {
        boolean full = unacknowledged.size() + pendingInStep >= maxRecords;
        if (full && !saidFull) {
            // Said once at warning level: a producer that outruns Kafka keeps touching the bound, by design.
            episodesFull++;
            if (episodesFull == 1) {
                log.warn("{}: the outbox holds {} records (kafkasnap.outbox.max.records={}); not taking input until"
                        + " Kafka acknowledges some (said once; later times at debug level)", processId,
                        unacknowledged.size() + pendingInStep, maxRecords);
            } else {
                log.debug("{}: the outbox is full again ({} times so far)", processId, episodesFull);
            }
        }
        saidFull = full;
        return full;
    }

    /** Waits until what was sent is acknowledged or has failed, at most {@code timeout}. */
    void flush(Duration timeout) {
        Producer<byte[], byte[]> current = producer;
        Thread flusher = new Thread(current::flush, "kafkasnap-" + processId + "-flush");
        flusher.setDaemon(true);
        flusher.start();
        try {
            flusher.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The unacknowledged entries, by channel, for the node's status. */
    Map<Long, OutboxEntry> unacknowledged() {
        return Map.copyOf(unacknowledged);
    }

    @Override
    public void close() {
        generation++;
        producer.close(Duration.ZERO);
    }
}
