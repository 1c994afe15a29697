package io.kafkasnap.testkit;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker for integration tests, one per test JVM, started before the first test class that uses it and
 * stopped when the JVM exits. With {@value #ENV_BOOTSTRAP_SERVERS} set, that cluster is used instead, neither started
 * nor stopped; otherwise an {@link EmbeddedKafkaCluster} broker runs in the JVM (no Docker needed).
 *
 * <pre>{@code
 * @ExtendWith(KafkaBroker.class)
 * class OrdersIT {
 *     @Test
 *     void runs(KafkaBroker broker) {
 *         String bootstrap = broker.bootstrapServers();
 *     }
 * }
 *
 * // or
 * @RegisterExtension
 * static KafkaBroker broker = new KafkaBroker();
 * }</pre>
 *
 * Tests share the broker: give each its own topics ({@link #uniqueTopic}) and consumer groups.
 */
public final class KafkaBroker implements BeforeAllCallback, ParameterResolver {

    public static final String ENV_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";

    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);
    private static final AtomicLong topics = new AtomicLong();
    private static volatile String shared;

    /** Any number of instances: all stand for the one broker of the JVM. */
    public KafkaBroker() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        bootstrapServers();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return this;
    }

    /** The {@code bootstrap.servers} of the broker; the first call of the JVM starts it (a few seconds). */
    public String bootstrapServers() {
        String servers = shared;
        if (servers == null) {
            synchronized (KafkaBroker.class) {
                servers = shared;
                if (servers == null) {
                    servers = resolve(System.getenv(), KafkaBroker::startEmbedded);
                    shared = servers;
                }
            }
        }
        return servers;
    }

    /** Fresh client properties with {@code bootstrap.servers} set; add the rest per client. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** A topic name no other test of this JVM (nor of an earlier run on a shared cluster) uses. */
    public String uniqueTopic(String prefix) {
        return prefix + "-" + topics.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates the topics with the cluster's default replication; one that exists is left as it is. */
    public void createTopics(int partitions, String... names) {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> newTopics = java.util.Arrays.stream(names)
                    .map(name -> new NewTopic(name, Optional.of(partitions), Optional.empty())).toList();
            admin.createTopics(newTopics).values().forEach((topic, future) -> {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** The cluster named by {@value #ENV_BOOTSTRAP_SERVERS} in {@code env}, else the one {@code start} starts. */
    static String resolve(Map<String, String> env, Supplier<String> start) {
        String external = env.get(ENV_BOOTSTRAP_SERVERS);
        if (external != null && !external.isBlank()) {
            log.info("Kafka for tests: the cluster at {} (from {})", external.strip(), ENV_BOOTSTRAP_SERVERS);
            return external.strip();
        }
        return start.get();
    }

    private static String startEmbedded() {
        long begin = System.nanoTime();
        EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-broker-stop"));
        log.info("Kafka for tests: embedded KRaft broker at {}, started in {} ms", kafka.bootstrapServers(),
                (System.nanoTime() - begin) / 1_000_000);
        return kafka.bootstrapServers();
    }
}
