package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.node.SnapshotNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/**
 * A user's test with Spring Kafka's {@code @EmbeddedKafka}: the broker it starts reaches the node through
 * {@code spring.kafka.bootstrap-servers}, with nothing kafkasnap-specific in the test.
 *
 * <p>Runs at the Kafka version Spring Boot manages, in the module's {@code boot-kafka} profile: spring-kafka-test
 * 4.0.x's broker does not run on the project's Kafka 4.3.1 server artifacts (NoSuchMethodError; see the pom).
 */
@Tag("boot-kafka")
@SpringBootTest(classes = SpringEmbeddedKafkaTest.App.class, properties = {
        "kafkasnap.state-dir=target/kafkasnap-state/${random.uuid}"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class SpringEmbeddedKafkaTest {

    static final TwoMemberSnapshot group = TwoMemberSnapshot.unique("embedded-kafka");

    @TempDir
    static Path stateRoot;

    @DynamicPropertySource
    static void node(DynamicPropertyRegistry registry) {
        group.register(registry);
    }

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    SnapshotNodeLifecycle lifecycle;

    @Autowired
    KafkaSnapEndpoint endpoint;

    @Autowired
    KafkaSnapClientProperties client;

    @Test
    void theNodeRunsOnTheEmbeddedKafkaBrokerAndTakesASnapshotWithAnotherMember() {
        assertThat(client.asMap()).containsEntry("bootstrap.servers", broker.getBrokersAsString());
        assertThat(lifecycle.node()).get().extracting(SnapshotNode::isRunning).isEqualTo(true);
        try (SnapshotNode a = group.startSender(broker.getBrokersAsString(), stateRoot.resolve("a"))) {
            group.completesWithBoth(endpoint);
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        RecordHandler sum() {
            return TwoMemberSnapshot.sum();
        }
    }
}
