package io.kafkasnap.kafka;

import io.kafkasnap.format.ControlRecord;

import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Starts snapshots: writes a trigger to the control topic. Any Kafka client may do this; this is the Java one. */
public final class Triggers {

    private Triggers() {
    }

    /**
     * Writes {@code {"v":1,"type":"snapshot"}} (with {@code "initiator"} if given) to partition 0 of the control topic
     * and waits for it to be written.
     *
     * @param clientProperties Kafka client properties (bootstrap servers, security), used as given
     * @return the trigger's offset, which is the new snapshot's id
     * @throws KafkaException if the write fails
     */
    public static long trigger(Properties clientProperties, String controlTopic, Optional<String> initiator) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        byte[] json = new ControlRecord.Trigger(initiator).toJson();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(controlTopic, 0, null, json)).get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing a trigger to " + controlTopic, e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot write a trigger to " + controlTopic + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
