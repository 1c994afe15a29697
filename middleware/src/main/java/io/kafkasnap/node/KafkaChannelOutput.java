package io.kafkasnap.node;

import io.kafkasnap.engine.ChannelOutput;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.store.OutboxEntry;
import io.kafkasnap.store.StoredHeader;
import java.time.Duration;
import java.util.List;
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

/**
 * The channels' idempotent producer behind the engine's {@link ChannelOutput}: sends each entry with its
 * {@code kafkasnap-*} headers, followed by the service's own headers of the entry, to partition 0 of its channel and
 * reports the outcome. Everything but a failure that sending again cannot mend is retriable: the engine then sends the entry and every later entry of its channel again.
 */
final class KafkaChannelOutput implements ChannelOutput, AutoCloseable {

    /** Outcomes, on the producer's thread. */
    interface Outcomes {
        void acknowledged(long id, long attempt, long offset);

        void failed(long id, long attempt, Exception cause, boolean retriable);
    }

    private final Producer<byte[], byte[]> producer;
    private final Outcomes outcomes;

    KafkaChannelOutput(Producer<byte[], byte[]> producer, Outcomes outcomes) {
        this.producer = producer;
        this.outcomes = outcomes;
    }

    @Override
    public void send(OutboxEntry entry, long attempt) {
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

    /** Waits until what was sent is acknowledged or has failed, at most {@code timeout}. */
    void flush(Duration timeout) {
        Thread flusher = new Thread(producer::flush, "kafkasnap-flush");
        flusher.setDaemon(true);
        flusher.start();
        try {
            flusher.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ZERO);
    }
}
