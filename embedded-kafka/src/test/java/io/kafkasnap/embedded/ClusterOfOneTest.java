package io.kafkasnap.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single broker of tests and the demo: a cluster of one broker beside its own controller. */
class ClusterOfOneTest {

    private static final String TOPIC = "greetings";

    @Test
    void roundTripThenRestartFromSameDirectoryKeepsTheRecord(@TempDir Path dataDir) throws Exception {
        String clusterId;
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).build().start()) {
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
                clusterId = admin.describeCluster().clusterId().get();
            }
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                RecordMetadata sent = producer.send(new ProducerRecord<>(TOPIC, "k", "hello")).get();
                assertThat(sent.offset()).isZero();
            }
            assertThat(readAll(kafka)).containsExactly("k=hello");
        }
        assertThat(dataDir.resolve("controller").resolve("meta.properties")).exists();
        assertThat(dataDir.resolve("broker-1").resolve("meta.properties")).exists();

        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).build().start()) {
            try (Admin admin = admin(kafka)) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
            }
            assertThat(readAll(kafka)).containsExactly("k=hello");
        }
    }

    @Test
    void temporaryDirectoryIsDeletedOnCloseAndCloseIsIdempotent() throws Exception {
        // the defaults of a new topic are the controller's in KRaft
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().controllerProperty("num.partitions", "3")
                .build().start();
        assertThat(kafka.brokerIds()).as("one broker by default").containsExactly(1);
        Path dir;
        try (Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty())))
                    .all().get();
            // the controller has created it; the broker learns of it from the metadata log a moment later
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(admin.describeTopics(Set.of("defaults")).allTopicNames().get().get("defaults")
                            .partitions()).as("a controller property overrides the default").hasSize(3));
            String logDir = admin.describeLogDirs(Set.of(1)).allDescriptions().get().get(1).keySet().iterator().next();
            dir = Path.of(logDir).getParent(); // the cluster's directory, holding broker-1 and controller
        }
        assertThat(dir).isDirectory();
        kafka.close();
        kafka.close();
        assertThat(Files.exists(dir)).isFalse();
        assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTakenPortFailsTheStartAndLeavesNothingBehind() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().port(taken.getLocalPort()).build();
            assertThatThrownBy(kafka::start).hasStackTraceContaining("Address already in use");
            assertThatThrownBy(kafka::bootstrapServers).isInstanceOf(IllegalStateException.class);
            kafka.close();
        }
        // the failed node released everything: another one starts fine
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build().start()) {
            assertThat(kafka.bootstrapServers()).startsWith("localhost:");
        }
    }

    @Test
    void aDirectoryOfANodeWithCombinedRolesIsRefusedNotSilentlyStartedEmpty(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("meta.properties"), "version=1\nnode.id=1\n");
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().dataDir(dataDir).build();
        assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dataDir.toString()).hasMessageContaining("combined the broker and controller");
        assertThat(dataDir.resolve("controller")).doesNotExist();
    }

    /** Every record of the topic from offset 0, as key=value, read until the end offset is reached. */
    private static List<String> readAll(EmbeddedKafkaCluster kafka) {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(r.key() + "=" + r.value());
                }
                return consumer.position(tp) >= end;
            });
        }
        return seen;
    }

    private static Admin admin(EmbeddedKafkaCluster kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }
}
