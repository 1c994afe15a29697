package io.kafkasnap.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code kafkasnap} health indicator ({@code management.health.kafkasnap.enabled}, on by default). */
@AutoConfiguration(after = KafkaSnapAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SnapshotNodeLifecycle.class)
@ConditionalOnEnabledHealthIndicator("kafkasnap")
public class KafkaSnapHealthAutoConfiguration {

    @Bean(name = "kafkasnapHealthIndicator")
    @ConditionalOnMissingBean(name = "kafkasnapHealthIndicator")
    KafkaSnapHealthIndicator kafkasnapHealthIndicator(SnapshotNodeLifecycle lifecycle) {
        return new KafkaSnapHealthIndicator(lifecycle);
    }
}
