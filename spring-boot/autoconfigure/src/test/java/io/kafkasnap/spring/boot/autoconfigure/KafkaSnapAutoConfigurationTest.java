package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.api.RecordHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration without a broker: every context here has auto-startup off. */
class KafkaSnapAutoConfigurationTest {

    private static final RecordHandler HANDLER = (ctx, record) -> { };

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, KafkaSnapAutoConfiguration.class,
                    KafkaSnapHealthAutoConfiguration.class, KafkaSnapEndpointAutoConfiguration.class))
            .withPropertyValues("kafkasnap.lifecycle.auto-startup=false", "spring.kafka.bootstrap-servers=broker-a:9092");

    private ApplicationContextRunner withHandler() {
        return runner.withBean(RecordHandler.class, () -> HANDLER)
                .withPropertyValues("kafkasnap.process-id=orders-0", "kafkasnap.incoming=orders.1.0",
                        "kafkasnap.outgoing=orders.0.1");
    }

    @Test
    void withoutAHandlerOrAProcessIdThereIsNoNode() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(SnapshotNodeLifecycle.class);
        });
    }

    @Test
    void aHandlerBeanAndPropertiesGiveANode() {
        withHandler().run(context -> {
            assertThat(context).hasSingleBean(SnapshotNodeLifecycle.class);
            SnapshotNodeLifecycle lifecycle = context.getBean(SnapshotNodeLifecycle.class);
            assertThat(lifecycle.processId()).isEqualTo("orders-0");
            assertThat(lifecycle.isAutoStartup()).isFalse();
            assertThat(lifecycle.isRunning()).isFalse();
            assertThat(lifecycle.node()).isEmpty();
            assertThat(lifecycle.getPhase()).isEqualTo(Integer.MAX_VALUE - 100);
        });
    }

    @Test
    void theProcessIdDefaultsToTheApplicationName() {
        runner.withBean(RecordHandler.class, () -> HANDLER)
                .withPropertyValues("spring.application.name=billing", "kafkasnap.incoming=x.1.0")
                .run(context -> assertThat(context.getBean(KafkaSnapGroup.class).processId()).isEqualTo("billing"));
    }

    @Test
    void offWhenDisabled() {
        withHandler().withPropertyValues("kafkasnap.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SnapshotNodeLifecycle.class)
                        .doesNotHaveBean(KafkaSnapClientProperties.class));
    }

    @Test
    void typedNodeSettingsAreBoundAndChecked() {
        withHandler().withPropertyValues("kafkasnap.snapshot.timeout=2m", "kafkasnap.control.topic=orders.control",
                "kafkasnap.collection.topic=orders.fragments").run(context -> {
                    KafkaSnapGroup group = context.getBean(KafkaSnapGroup.class);
                    assertThat(group.snapshotTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(group.controlTopic()).isEqualTo("orders.control");
                    assertThat(group.collectionTopic()).isEqualTo("orders.fragments");
                });
        withHandler().withPropertyValues("kafkasnap.snapshot.timeout=0s")
                .run(context -> assertRefused(context, "kafkasnap.snapshot.timeout", "kafkasnap.snapshot.timeout.ms"));
        withHandler().withPropertyValues("kafkasnap.fragment.chunk-size=100B")
                .run(context -> assertRefused(context, "kafkasnap.fragment.chunk-size", "1024"));
        withHandler().withPropertyValues("kafkasnap.status.interval=10ms")
                .run(context -> assertRefused(context, "kafkasnap.status.interval", "100"));
        withHandler().withPropertyValues("kafkasnap.snapshot.max-concurrent=0")
                .run(context -> assertRefused(context, "kafkasnap.snapshot.max-concurrent", "at least 1"));
    }

    @Test
    void badIdentityOrChannelsNameTheProperty() {
        withHandler().withPropertyValues("kafkasnap.process-id=orders 0")
                .run(context -> assertRefused(context, "kafkasnap.process-id", "[A-Za-z0-9._-]"));
        withHandler().withPropertyValues("kafkasnap.outgoing=orders.1.0")
                .run(context -> assertRefused(context, "kafkasnap.outgoing", "both incoming and outgoing"));
        runner.withPropertyValues("kafkasnap.process-id=lonely", "kafkasnap.incoming=a.b")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("no onRecord handler"));
    }

    @Test
    void kafkaConnectionComesFromSpringBootsKafkaProperties() {
        withHandler().withPropertyValues("spring.kafka.properties.sasl.mechanism=PLAIN",
                "spring.kafka.security.protocol=SASL_SSL", "kafkasnap.properties.linger.ms=5").run(context -> {
                    KafkaSnapClientProperties client = context.getBean(KafkaSnapClientProperties.class);
                    assertThat(client.asMap()).containsEntry("bootstrap.servers", "broker-a:9092")
                            .containsEntry("sasl.mechanism", "PLAIN")
                            .containsEntry("security.protocol", "SASL_SSL")
                            .containsEntry("linger.ms", "5");
                    assertThat(client.originOf("linger.ms")).isEqualTo("kafkasnap.properties.linger.ms");
                    assertThat(client.originOf("sasl.mechanism")).isEqualTo("spring.kafka.properties.sasl.mechanism");
                    // the application's producer settings are not the node's
                    assertThat(client.asMap()).doesNotContainKey("acks");
                });
        withHandler().withPropertyValues("spring.kafka.producer.acks=1").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KafkaSnapClientProperties.class).asMap()).doesNotContainKey("acks");
        });
    }

    @Test
    void kafkaConnectionDetailsWinAsWithServiceConnection() {
        SslBundle bundle = SslBundle.of(SslStoreBundle.NONE);
        KafkaConnectionDetails details = new KafkaConnectionDetails() {
            @Override
            public List<String> getBootstrapServers() {
                return List.of("container-1:9093", "container-2:9093");
            }

            @Override
            public SslBundle getSslBundle() {
                return bundle;
            }

            @Override
            public String getSecurityProtocol() {
                return "SSL";
            }
        };
        withHandler().withBean(KafkaConnectionDetails.class, () -> details).run(context -> {
            KafkaSnapClientProperties client = context.getBean(KafkaSnapClientProperties.class);
            assertThat(client.asMap()).containsEntry("bootstrap.servers", "container-1:9093,container-2:9093")
                    .containsEntry("security.protocol", "SSL")
                    .containsEntry(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, SslBundleSslEngineFactory.class)
                    .containsEntry(SslBundle.class.getName(), bundle);
        });
    }

    @Test
    void producerSettingsThatBreakTheGuaranteesAreRefusedByName() {
        withHandler().withPropertyValues("kafkasnap.properties.acks=1")
                .run(context -> assertRefused(context, "kafkasnap.properties.acks", "acks"));
        withHandler().withPropertyValues("spring.kafka.properties.enable.idempotence=false")
                .run(context -> assertRefused(context, "spring.kafka.properties.enable.idempotence", "idempotent"));
        withHandler().withPropertyValues("kafkasnap.properties.transactional.id=orders")
                .run(context -> assertRefused(context, "kafkasnap.properties.transactional.id", "transactional"));
        withHandler().withPropertyValues("kafkasnap.properties.acks=all", "kafkasnap.properties.enable.idempotence=true")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void theFailureAnalyzerNamesThePropertyAndWhatToDo() {
        withHandler().withPropertyValues("kafkasnap.properties.acks=0").run(context -> {
            FailureAnalysis analysis = new KafkaSnapFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("kafkasnap.properties.acks=0");
            assertThat(analysis.getAction()).contains("kafkasnap.properties.acks");
        });
    }

    @Test
    void metersGoToTheApplicationsRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        withHandler().withBean(MeterRegistry.class, () -> registry).run(context ->
                assertThat(context.getBean(SnapshotNodeLifecycle.class).meterRegistry()).isSameAs(registry));
        withHandler().run(context ->
                assertThat(context.getBean(SnapshotNodeLifecycle.class).meterRegistry()).isNotNull());
    }

    @Test
    void aCustomizerSeesTheBuilder() {
        int[] calls = {0};
        withHandler().withBean(SnapshotNodeCustomizer.class, () -> builder -> calls[0]++)
                .run(context -> assertThat(calls[0]).isEqualTo(1));
    }

    @Test
    void healthIndicatorAlwaysEndpointWhenExposed() {
        withHandler().run(context -> {
            assertThat(context).hasSingleBean(KafkaSnapHealthIndicator.class);
            assertThat(context).doesNotHaveBean(KafkaSnapEndpoint.class);
            assertThat(context.getBean(KafkaSnapHealthIndicator.class).health().getStatus().getCode())
                    .isEqualTo("UNKNOWN");
        });
        withHandler().withPropertyValues("management.endpoints.web.exposure.include=kafkasnap")
                .run(context -> assertThat(context).hasSingleBean(KafkaSnapEndpoint.class));
        withHandler().withPropertyValues("management.health.kafkasnap.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(KafkaSnapHealthIndicator.class));
    }

    private static void assertRefused(AssertableApplicationContext context, String property, String reason) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        while (failure != null && !(failure instanceof KafkaSnapConfigurationException)) {
            failure = failure.getCause();
        }
        assertThat(failure).as("a KafkaSnapConfigurationException in " + context.getStartupFailure()).isNotNull();
        assertThat(((KafkaSnapConfigurationException) failure).getProperty()).isEqualTo(property);
        assertThat(failure.getMessage()).contains(reason);
    }
}
