package io.kafkasnap.node;

import io.kafkasnap.engine.StatusSink;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this node's status to the compacted status topic (DESIGN.md, "Status topic") every few seconds and at
 * each change of epoch; a tombstone at a clean stop. For monitoring only: nothing in the protocol reads it, so a
 * failed send is logged and the next period tries again.
 */
final class StatusReporter implements StatusSink {

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String processId;
    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private boolean warned;

    StatusReporter(String processId, String topic, Producer<byte[], byte[]> producer) {
        this.processId = processId;
        this.topic = topic;
        this.producer = producer;
    }

    @Override
    public void report(long at, long epoch, Map<String, Long> positions, int outbox, Set<Long> inFlight) {
        ObjectNode status = JSON.createObjectNode();
        status.put("v", 1);
        status.put("process", processId);
        status.put("at", at);
        status.put("epoch", epoch);
        ObjectNode pos = status.putObject("positions");
        new TreeMap<>(positions).forEach(pos::put);
        status.put("outbox", outbox);
        inFlight.forEach(status.putArray("inFlight")::add);
        send(status.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** At a clean stop: this node is gone, not down. */
    @Override
    public void tombstone() {
        send(null);
    }

    private void send(byte[] value) {
        producer.send(new ProducerRecord<>(topic, 0, processId.getBytes(StandardCharsets.UTF_8), value),
                (metadata, error) -> {
                    if (error != null && !warned) {
                        warned = true;
                        log.warn("{}: could not publish its status to {}: {}", processId, topic, error.toString());
                    } else if (error == null) {
                        warned = false;
                    }
                });
    }
}
