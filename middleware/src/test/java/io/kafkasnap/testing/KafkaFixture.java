package io.kafkasnap.testing;

import static org.awaitility.Awaitility.await;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one Kafka cluster of a test JVM, started on first use and stopped when the JVM exits.
 * Where it comes from, in this order:
 * <ol>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} set: that cluster, which this fixture neither starts nor stops;</li>
 *   <li>Docker available: a Testcontainers Kafka container ({@value #KAFKA_IMAGE});</li>
 *   <li>otherwise an {@link EmbeddedKafkaCluster} broker in this JVM.</li>
 * </ol>
 * Tests share the cluster, so each should use its own topics ({@link #uniqueTopic}) and consumer groups.
 */
public final class KafkaFixture {

    public static final String ENV_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";

    private static final Logger log = LoggerFactory.getLogger(KafkaFixture.class);
    private static final AtomicLong topicCounter = new AtomicLong();
    private static volatile String bootstrapServers;

    private KafkaFixture() {
    }

    /** Bootstrap servers of the shared cluster; the first call starts it (and may take a few seconds). */
    public static String bootstrapServers() {
        String servers = bootstrapServers;
        if (servers == null) {
            synchronized (KafkaFixture.class) {
                servers = bootstrapServers;
                if (servers == null) {
                    servers = start();
                    bootstrapServers = servers;
                }
            }
        }
        return servers;
    }

    /** A fresh Properties with {@code bootstrap.servers} set; add the rest per client. */
    public static Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A topic name no other test of this run (nor of an earlier run on a shared cluster) uses. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + topicCounter.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Creates the topics with the cluster's default replication and returns once every partition has a leader.
     * A topic that exists already is left as it is.
     */
    public static void createTopics(int partitions, String... topics) {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
            }
            admin.createTopics(newTopics).values().forEach((topic, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topic " + topic, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            // Creation is acknowledged by the controller; on a multi-broker cluster the brokers learn of it a
            // little later, and a client that looks before then sees an unknown topic.
            Set<String> names = Set.copyOf(Arrays.asList(topics));
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.describeTopics(names)
                    .allTopicNames().get().values().stream()
                    .allMatch(KafkaFixture::everyPartitionHasLeader));
        }
    }

    /** Sets one config of {@code topic} and waits until the broker reports it (it applies a change asynchronously). */
    public static void setTopicConfig(String topic, String name, String value) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(clientProperties())) {
            org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry(name, value),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
            await().atMost(Duration.ofSeconds(60)).until(() -> value.equals(admin.describeConfigs(List.of(resource))
                    .all().get().get(resource).get(name).value()));
        }
    }

    /** The end offset of partition 0 of {@code topic}. */
    public static long endOffset(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }

    /** Every record of partition 0 of {@code topic} up to its end now, in offset order. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        TopicScan.readAll(clientProperties(), topic, Duration.ofSeconds(60), records::add);
        return records;
    }

    private static boolean everyPartitionHasLeader(TopicDescription description) {
        return description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    private static String start() {
        String external = System.getenv(ENV_BOOTSTRAP_SERVERS);
        if (external != null && !external.isBlank()) {
            log.info("Kafka for tests: external cluster at {} (from {})", external, ENV_BOOTSTRAP_SERVERS);
            return external;
        }
        long begin = System.nanoTime();
        if (dockerAvailable()) {
            KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "kafka-fixture-stop"));
            log.info("Kafka for tests: Testcontainers {} at {}, started in {} ms",
                    KAFKA_IMAGE, container.getBootstrapServers(), millisSince(begin));
            return container.getBootstrapServers();
        }
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-fixture-stop"));
        log.info("Kafka for tests: embedded KRaft broker at {} (no {} and no Docker), started in {} ms",
                kafka.bootstrapServers(), ENV_BOOTSTRAP_SERVERS, millisSince(begin));
        return kafka.bootstrapServers();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Docker check failed", e);
            return false;
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
