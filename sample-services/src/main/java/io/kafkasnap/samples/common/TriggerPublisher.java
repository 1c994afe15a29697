package io.kafkasnap.samples.common;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
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
 * Writes snapshot triggers to the control topic with a plain producer, exactly as any Kafka client may:
 * {@code {"v":1,"type":"snapshot"}} or with {@code "initiator"}. The snapshot id is the trigger's offset.
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

    /** Makes sure the control topic exists with one partition (a broker would auto-create it with its default). */
    public static void ensureControlTopic(Map<String, Object> kafkaProperties, String controlTopic) {
        Kafka.createTopics(kafkaProperties, List.of(controlTopic));
    }

    public static byte[] triggerJson(Optional<String> initiator) {
        String json = initiator.map(i -> "{\"v\":1,\"type\":\"snapshot\",\"initiator\":\"" + escape(i) + "\"}")
                .orElse("{\"v\":1,\"type\":\"snapshot\"}");
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes a trigger and returns the snapshot id (its offset) once the broker has it. */
    public long trigger(Optional<String> initiator) {
        try {
            RecordMetadata metadata = producer.send(new ProducerRecord<>(controlTopic, 0, null, triggerJson(initiator)))
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

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        producer.close();
    }
}
