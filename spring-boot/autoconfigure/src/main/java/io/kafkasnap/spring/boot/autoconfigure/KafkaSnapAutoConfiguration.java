package io.kafkasnap.spring.boot.autoconfigure;

import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.node.SnapshotNodeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * A {@link SnapshotNode} from the application's {@link RecordHandler} bean and {@code kafkasnap.*} properties,
 * connected through Spring Boot's Kafka connection, started and stopped with the context, its meters in the
 * application's registry. Applies when there is a {@code RecordHandler} bean or {@code kafkasnap.process-id} is set,
 * unless {@code kafkasnap.enabled=false}.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(SnapshotNode.class)
@ConditionalOnBooleanProperty(name = "kafkasnap.enabled", matchIfMissing = true)
@Conditional(KafkaSnapAutoConfiguration.OnNodeWanted.class)
@EnableConfigurationProperties(KafkaSnapProperties.class)
public class KafkaSnapAutoConfiguration {

    /** The state directory when {@code kafkasnap.state-dir} is not set: {@code kafkasnap-state/<process id>}. */
    public static final Path DEFAULT_STATE_ROOT = Path.of("kafkasnap-state");

    static final class OnNodeWanted extends AnyNestedCondition {
        OnNodeWanted() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(RecordHandler.class)
        static final class HandlerBean {
        }

        @ConditionalOnProperty(name = "kafkasnap.process-id")
        static final class ProcessId {
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(KafkaConnectionDetails.class)
    static class SpringKafkaConnectionConfiguration {

        @Bean
        @ConditionalOnMissingBean
        KafkaSnapClientProperties kafkaSnapClientProperties(KafkaSnapProperties properties,
                                                            ObjectProvider<KafkaProperties> kafkaProperties,
                                                            ObjectProvider<KafkaConnectionDetails> connectionDetails) {
            KafkaSnapClientProperties client = SpringKafkaConnection.from(kafkaProperties.getIfAvailable(),
                    connectionDetails.getIfAvailable(), properties);
            client.checkGuarantees();
            return client;
        }
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaSnapClientProperties kafkaSnapClientPropertiesWithoutSpringKafka(KafkaSnapProperties properties) {
        KafkaSnapClientProperties client = new KafkaSnapClientProperties()
                .putAll(properties.getProperties(), "kafkasnap.properties.");
        client.checkGuarantees();
        return client;
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaSnapGroup kafkaSnapGroup(KafkaSnapProperties properties, KafkaSnapClientProperties client,
                                  Environment environment) {
        List<NodeSettings.Bound> bound = NodeSettings.bind(Binder.get(environment));
        String control = (String) NodeSettings.nodeValue(bound, SnapshotNodeConfig.CONTROL_TOPIC)
                .orElse(SnapshotNodeConfig.DEFAULT_CONTROL_TOPIC);
        String collection = (String) NodeSettings.nodeValue(bound, SnapshotNodeConfig.COLLECTION_TOPIC)
                .orElse(SnapshotNodeConfig.DEFAULT_COLLECTION_TOPIC);
        long timeoutMs = (Long) NodeSettings.nodeValue(bound, SnapshotNodeConfig.SNAPSHOT_TIMEOUT_MS).orElse(60_000L);
        return new KafkaSnapGroup(processId(properties, environment), control, collection,
                Duration.ofMillis(timeoutMs), client);
    }

    @Bean
    @ConditionalOnMissingBean
    SnapshotNodeLifecycle snapshotNodeLifecycle(KafkaSnapProperties properties, KafkaSnapGroup group,
                                                Environment environment, ObjectProvider<RecordHandler> handler,
                                                ObjectProvider<SnapshotNodeCustomizer> customizers,
                                                ObjectProvider<MeterRegistry> meterRegistry) {
        List<NodeSettings.Bound> settings = NodeSettings.bind(Binder.get(environment));
        MeterRegistry registry = meterRegistry.getIfUnique(SimpleMeterRegistry::new);
        RecordHandler recordHandler = handler.getIfAvailable();
        List<SnapshotNodeCustomizer> customizerList = customizers.orderedStream().toList();
        Supplier<SnapshotNode> factory = () -> {
            SnapshotNode.Builder builder;
            try {
                builder = SnapshotNode.builder().processId(group.processId());
            } catch (IllegalArgumentException e) {
                throw new KafkaSnapConfigurationException("kafkasnap.process-id", group.processId(), e.getMessage());
            }
            builder.kafkaProperties(group.clientProperties().asMap());
            builder.stateDir(properties.getStateDir() != null ? properties.getStateDir()
                    : DEFAULT_STATE_ROOT.resolve(group.processId()));
            try {
                builder.incoming(properties.getIncoming());
            } catch (IllegalArgumentException e) {
                throw new KafkaSnapConfigurationException("kafkasnap.incoming", properties.getIncoming(),
                        e.getMessage());
            }
            try {
                builder.outgoing(properties.getOutgoing());
            } catch (IllegalArgumentException e) {
                throw new KafkaSnapConfigurationException("kafkasnap.outgoing", properties.getOutgoing(),
                        e.getMessage());
            }
            NodeSettings.apply(settings, builder);
            if (recordHandler != null) {
                builder.onRecord(recordHandler);
            }
            builder.meterRegistry(registry);
            customizerList.forEach(c -> c.customize(builder));
            try {
                return builder.build();
            } catch (IllegalStateException | IllegalArgumentException e) {
                // IllegalArgumentException: a Kafka client property the node refuses (SnapshotNodeConfigException).
                throw new IllegalStateException("kafkasnap node " + group.processId() + " cannot be built from the "
                        + "kafkasnap.* properties: " + e.getMessage(), e);
            }
        };
        return new SnapshotNodeLifecycle(factory.get(), factory, registry,
                properties.getLifecycle().isAutoStartup(), properties.getLifecycle().getPhase());
    }

    private static String processId(KafkaSnapProperties properties, Environment environment) {
        String id = properties.getProcessId();
        if (id == null || id.isBlank()) {
            id = environment.getProperty("spring.application.name");
        }
        if (id == null || id.isBlank()) {
            throw new KafkaSnapConfigurationException("kafkasnap.process-id", null,
                    "the node needs a process id, unique in its snapshot group: set kafkasnap.process-id"
                            + " (or spring.application.name)");
        }
        return id;
    }
}
