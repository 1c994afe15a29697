package io.kafkasnap.node;

import io.kafkasnap.engine.ChannelOutput;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.store.OutboxEntry;
import io.kafkasnap.store.StoredHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels' idempotent producer behind the engine's {@link ChannelOutput}: sends each entry with its
 * {@code kafkasnap-*} headers, followed by the service's own headers of the entry, to partition 0 of its channel and
 * reports the outcome. Everything but a failure that sending again cannot mend is retriable: the engine then sends
 * the entry and every later entry of its channel again.
 *
 * <p>{@link #send} only queues: a thread of its own builds the records and calls {@code KafkaProducer.send}, in the
 * order queued. That call costs about as much as the rest of a record's work on the event loop (the producer
 * serialises and sizes every header and takes the accumulator's lock), so on the loop it halved a busy node's
 * throughput. An entry still queued when the node stops is not lost: it is in the committed outbox, and sent again
 * at the next start.
 */
final class KafkaChannelOutput implements ChannelOutput, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaChannelOutput.class);

    /** Outcomes, on the producer's thread or the sending thread. */
    interface Outcomes {
        void acknowledged(long id, long attempt, long offset);

        void failed(long id, long attempt, Exception cause, boolean retriable);
    }

    private record Queued(OutboxEntry entry, long attempt) {
    }

    private static final Queued STOP = new Queued(null, -1);

    private final Producer<byte[], byte[]> producer;
    private final Outcomes outcomes;
    private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    /** Entries queued and entries handed to the producer so far: equal when the queue is drained. */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private volatile boolean stopping;

    KafkaChannelOutput(Producer<byte[], byte[]> producer, Outcomes outcomes, String threadName) {
        this.producer = producer;
        this.outcomes = outcomes;
        this.sender = new Thread(this::sendQueued, threadName);
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void send(OutboxEntry entry, long attempt) {
        queued.incrementAndGet();
        queue.add(new Queued(entry, attempt));
    }

    private void sendQueued() {
        List<Queued> batch = new ArrayList<>();
        try {
            while (true) {
                batch.add(queue.take());
                queue.drainTo(batch);
                for (Queued q : batch) {
                    if (q == STOP || stopping) {
                        return;
                    }
                    produce(q.entry(), q.attempt());
                    handedOver.incrementAndGet();
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            // Nothing queued after this is sent until the node starts again; the outbox still holds it.
            log.error("the channel sender thread {} failed; records it had not sent stay in the outbox",
                    sender.getName(), t);
        }
    }

    private void produce(OutboxEntry entry, long attempt) {
        List<StoredHeader> own = entry.headers();
        Header[] headers = ChannelHeaders.array(entry.epoch(), entry.seq(), entry.marker(), entry.fence(), own.size());
        for (int i = 0; i < own.size(); i++) {
            headers[headers.length - own.size() + i] = new RecordHeader(own.get(i).key(), own.get(i).value());
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(entry.channel(), 0, null, entry.key(),
                entry.value(), new RecordHeaders(headers));
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    outcomes.acknowledged(entry.id(), attempt, metadata.offset());
                } else {
                    outcomes.failed(entry.id(), attempt, error, retriable(error));
                }
            });
        } catch (RuntimeException e) {
            // send() itself throws for what it sees at once (metadata wait past max.block.ms, record too large).
            outcomes.failed(entry.id(), attempt, e, retriable(e));
        }
    }

    static boolean retriable(Exception error) {
        return !(error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof AuthorizationException || error instanceof AuthenticationException
                || error instanceof InvalidTopicException || error instanceof SerializationException
                || error instanceof UnsupportedVersionException || error instanceof IllegalStateException);
    }

    /**
     * Waits until what was queued is acknowledged or has failed, at most {@code timeout}: first until the sending
     * thread has handed it all to the producer, then for the producer.
     */
    void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long target = queued.get();
        while (handedOver.get() < target && sender.isAlive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        Thread flusher = new Thread(producer::flush, "kafkasnap-flush");
        flusher.setDaemon(true);
        flusher.start();
        try {
            flusher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopping = true;
        queue.clear();
        queue.add(STOP);
        try {
            sender.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            sender.interrupt(); // blocked in send() on metadata or buffer memory; the producer closes under it
        }
        producer.close(Duration.ZERO);
    }
}
