package io.kafkasnap.tools.common;

import io.kafkasnap.format.ControlRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes snapshot triggers to the control topic as {@link io.kafkasnap.kafka.Triggers} does, through one producer
 * kept open: for loops that trigger often and time each snapshot from its trigger (the demo, the benchmark), where a
 * producer per trigger would add its start-up to every measurement. The record is the library's
 * {@link ControlRecord.Trigger}; the snapshot id is its offset.
 */
public final class TriggerPublisher implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String controlTopic;
    private final String bootstrap;

    public TriggerPublisher(Map<String, Object> kafkaProperties, String controlTopic) {
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        this.bootstrap = String.valueOf(props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.controlTopic = controlTopic;
    }

    /** Publishes a trigger and returns the snapshot id (its offset) once the broker has it. */
    public long trigger(Optional<String> initiator) {
        try {
            RecordMetadata metadata = producer.send(new ProducerRecord<>(controlTopic, 0, null, new ControlRecord.Trigger(initiator).toJson()))
                    .get(60, TimeUnit.SECONDS);
            return metadata.offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write a trigger to " + controlTopic + " at " + bootstrap
                    + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + bootstrap + " within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
