package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What Testcontainers' {@code @ServiceConnection} on a {@code KafkaContainer} gives an application: a
 * {@link KafkaConnectionDetails} bean, which wins over {@code spring.kafka.bootstrap-servers}. No Docker here, so
 * the bean is declared by hand, pointing at the tests' real broker while the property names an address nothing
 * listens on: the node must run on the connection details.
 */
@SpringBootTest(classes = ServiceConnectionTest.App.class, properties = {
        "spring.kafka.bootstrap-servers=localhost:1",
        "kafkasnap.state-dir=target/kafkasnap-state/${random.uuid}"})
// Closed after the class, while the JVM's shared broker still runs: a context cached until JVM exit would stop its
// node in a shutdown hook racing the broker's, and the node's leave would wait on a broker that is gone.
@DirtiesContext
class ServiceConnectionTest {

    static final TwoMemberSnapshot group = TwoMemberSnapshot.unique("service-connection");

    @TempDir
    static Path stateRoot;

    @DynamicPropertySource
    static void node(DynamicPropertyRegistry registry) {
        group.register(registry);
    }

    @Autowired
    SnapshotNodeLifecycle lifecycle;

    @Autowired
    KafkaSnapEndpoint endpoint;

    @Autowired
    KafkaSnapClientProperties client;

    @Test
    void theNodeConnectsThroughKafkaConnectionDetailsNotThroughTheBootstrapProperty() {
        assertThat(client.asMap()).containsEntry("bootstrap.servers", KafkaFixture.bootstrapServers());
        assertThat(client.originOf("bootstrap.servers"))
                .isEqualTo("spring.kafka.bootstrap-servers (from ContainerConnectionDetails)");
        assertThat(lifecycle.node()).get().extracting(SnapshotNode::isRunning).isEqualTo(true);
        try (SnapshotNode a = group.startSender(KafkaFixture.bootstrapServers(), stateRoot.resolve("a"))) {
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

        @Bean
        KafkaConnectionDetails kafkaConnectionDetails() {
            return new ContainerConnectionDetails();
        }
    }

    /** As {@code @ServiceConnection} derives it from a {@code KafkaContainer}: the container's address only. */
    static final class ContainerConnectionDetails implements KafkaConnectionDetails {
        @Override
        public List<String> getBootstrapServers() {
            return List.of(KafkaFixture.bootstrapServers().split(","));
        }
    }
}
