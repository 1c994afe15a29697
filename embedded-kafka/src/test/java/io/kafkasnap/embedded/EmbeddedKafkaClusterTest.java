package io.kafkasnap.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterTest {

    private static final String TOPIC = "replicated";
    private static final int BEFORE = 50;
    private static final int DURING = 50;
    private static final int AFTER = 50;

    @Test
    void aKilledLeaderIsReplacedProducingWithAcksAllGoesOnAndTheRestartedBrokerRejoinsTheIsr() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).build().start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            assertThat(kafka.brokerIds()).containsExactly(1, 2, 3);
            // replication and the ISR minimum come from the cluster's defaults, as kafkasnap's topics do
            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(1), Optional.empty()))).all().get();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> partition(admin).isr().size() == 3);
            assertThat(partition(admin).replicas()).hasSize(3);
            Config topicConfig = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC)))
                    .all().get().values().iterator().next();
            assertThat(topicConfig.get("min.insync.replicas").value()).isEqualTo("2");

            try (KafkaProducer<String, String> producer = producer(kafka)) {
                for (int i = 0; i < BEFORE; i++) producer.send(new ProducerRecord<>(TOPIC, "r" + i)).get();

                int leader = partition(admin).leader().id();
                kafka.kill(leader);
                assertThat(kafka.isRunning(leader)).isFalse();
                // each send is acknowledged by the 2 replicas left in the ISR once the controller fences the leader
                for (int i = BEFORE; i < BEFORE + DURING; i++) producer.send(new ProducerRecord<>(TOPIC, "r" + i)).get();
                TopicPartitionInfo whileDown = partition(admin);
                assertThat(whileDown.leader().id()).as("new leader").isNotEqualTo(leader);
                assertThat(whileDown.isr()).as("ISR while broker %d is down", leader)
                        .noneMatch(n -> n.id() == leader).hasSize(2);

                kafka.restart(leader);
                assertThat(kafka.isRunning(leader)).isTrue();
                for (int i = BEFORE + DURING; i < BEFORE + DURING + AFTER; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, "r" + i)).get();
                }
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> partition(admin).isr().size() == 3);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < BEFORE + DURING + AFTER; i++) expected.add("r" + i);
            assertThat(readAll(kafka, expected.size())).as("every acknowledged record, once, in order")
                    .containsExactlyElementsOf(expected);
        }
    }

    private static TopicPartitionInfo partition(Admin admin) throws Exception {
        TopicDescription description = admin.describeTopics(Set.of(TOPIC)).allTopicNames().get().get(TOPIC);
        return description.partitions().get(0);
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new StringSerializer());
    }

    private static List<String> readAll(EmbeddedKafkaCluster kafka, int count) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) seen.add(r.value());
                return seen.size() >= count;
            });
        }
        return seen;
    }
}
