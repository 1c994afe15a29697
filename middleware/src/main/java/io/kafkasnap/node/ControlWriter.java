package io.kafkasnap.node;

import io.kafkasnap.engine.ControlLog;
import io.kafkasnap.format.ControlRecord;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes this node's records to the control topic: join and leave (waiting for them), aborts and restores. */
final class ControlWriter implements ControlLog {

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final String controlTopic;
    private final Producer<byte[], byte[]> producer;

    ControlWriter(String processId, String controlTopic, Producer<byte[], byte[]> producer) {
        this.processId = processId;
        this.controlTopic = controlTopic;
        this.producer = producer;
    }

    /** Writes {@code record} and waits for it; returns its offset. */
    long writeAndWait(ControlRecord record, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return producer.send(new ProducerRecord<>(controlTopic, 0, null, record.toJson()))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    }

    /** Reports each record written, on the producer's thread. */
    interface Written {
        void written(ControlRecord record);
    }

    private Written written = record -> { };

    void onWritten(Written written) {
        this.written = written;
    }

    /**
     * Writes {@code record} without waiting. A lost abort is not fatal: the member's timeout or its restart gives the
     * snapshot up again; so a failure is logged, not raised.
     */
    @Override
    public void write(ControlRecord record) {
        producer.send(new ProducerRecord<>(controlTopic, 0, null, record.toJson()), (metadata, error) -> {
            if (error != null) {
                log.warn("{}: could not write {} to {}: {}", processId, record, controlTopic, error.toString());
            } else {
                written.written(record);
            }
        });
    }
}
