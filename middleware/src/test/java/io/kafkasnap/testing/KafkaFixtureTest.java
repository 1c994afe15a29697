package io.kafkasnap.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaFixtureTest {

    @Test
    void concurrentFirstCallsShareOneCluster() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit((Callable<String>) KafkaFixture::bootstrapServers));
            }
            for (Future<String> call : calls) {
                assertThat(call.get()).isEqualTo(KafkaFixture.bootstrapServers());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createdTopicsHaveTheirPartitionsAndCreatingTwiceIsHarmless() throws Exception {
        String a = KafkaFixture.uniqueTopic("fixture-a");
        String b = KafkaFixture.uniqueTopic("fixture-a");
        assertThat(a).isNotEqualTo(b).startsWith("fixture-a-");

        KafkaFixture.createTopics(3, a, b);
        KafkaFixture.createTopics(3, a);

        try (Admin admin = Admin.create(KafkaFixture.clientProperties())) {
            assertThat(admin.describeTopics(List.of(a, b)).allTopicNames().get().values())
                    .allSatisfy(d -> assertThat(d.partitions()).hasSize(3));
        }
    }

    @Test
    void recordsMakeARoundTripThroughTheSharedCluster() throws Exception {
        String topic = KafkaFixture.uniqueTopic("fixture-roundtrip");
        KafkaFixture.createTopics(1, topic);

        Properties producerProps = KafkaFixture.clientProperties();
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }

        Properties consumerProps = KafkaFixture.clientProperties();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaFixture.uniqueTopic("fixture-group"));
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    received.add(r.key() + "=" + r.value());
                }
                return received.size() >= 3;
            });
        }
        assertThat(received).containsExactly("k0=v0", "k1=v1", "k2=v2");
    }
}
