package io.kafkasnap.spring.boot.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code kafkasnap} actuator endpoint, when exposed ({@code management.endpoints.web.exposure.include=kafkasnap}).
 * Restore through it needs {@code kafkasnap.endpoint.restore-enabled=true} besides the endpoint's write access.
 */
@AutoConfiguration(after = KafkaSnapAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(KafkaSnapGroup.class)
@ConditionalOnAvailableEndpoint(KafkaSnapEndpoint.class)
public class KafkaSnapEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SnapshotCatalog kafkaSnapSnapshotCatalog(KafkaSnapGroup group, KafkaSnapProperties properties) {
        KafkaSnapProperties.Endpoint endpoint = properties.getEndpoint();
        return new SnapshotCatalog(group, endpoint.getKeepInFull(), endpoint.getKeepSummaries(), endpoint.getHistory());
    }

    @Bean
    @ConditionalOnMissingBean
    KafkaSnapEndpoint kafkaSnapEndpoint(KafkaSnapGroup group, SnapshotCatalog catalog,
                                        KafkaSnapProperties properties) {
        return new KafkaSnapEndpoint(group, catalog, properties.getEndpoint().isRestoreEnabled());
    }
}
