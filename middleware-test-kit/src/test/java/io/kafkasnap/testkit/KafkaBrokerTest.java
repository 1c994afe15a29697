package io.kafkasnap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KafkaBroker.class)
class KafkaBrokerTest {

    @Test
    void aRecordWrittenToTheBrokerIsReadBack(KafkaBroker broker) throws Exception {
        String topic = broker.uniqueTopic("kit");
        broker.createTopics(1, topic);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(broker.clientProperties(),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
        }
        Properties props = broker.clientProperties();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (read.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
        }
        assertThat(read).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("k");
            assertThat(r.value()).isEqualTo("hello");
        });
    }

    @Test
    void everyInstanceStandsForTheOneBrokerOfTheJvm(KafkaBroker broker) {
        assertThat(new KafkaBroker().bootstrapServers()).isEqualTo(broker.bootstrapServers());
        assertThat(broker.uniqueTopic("t")).isNotEqualTo(broker.uniqueTopic("t"));
    }

    @Test
    void theClusterNamedByTheEnvironmentIsUsedAndNothingIsStarted() {
        List<String> started = new ArrayList<>();
        String servers = KafkaBroker.resolve(Map.of(KafkaBroker.ENV_BOOTSTRAP_SERVERS, " kafka:9092 "), () -> {
            started.add("embedded");
            return "localhost:1";
        });
        assertThat(servers).isEqualTo("kafka:9092");
        assertThat(started).isEmpty();

        assertThat(KafkaBroker.resolve(Map.of(), () -> "localhost:1")).isEqualTo("localhost:1");
        assertThat(KafkaBroker.resolve(Map.of(KafkaBroker.ENV_BOOTSTRAP_SERVERS, " "), () -> "localhost:2"))
                .isEqualTo("localhost:2");
    }

}
