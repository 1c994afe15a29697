package io.kafkasnap.spring.boot.autoconfigure;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.springframework.boot.kafka.autoconfigure.KafkaConnectionDetails;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.kafka.autoconfigure.SslBundleSslEngineFactory;
import org.springframework.boot.ssl.SslBundle;

/** The common part of Spring Boot's Kafka connection, as Spring Boot applies it to its own clients. */
final class SpringKafkaConnection {

    private SpringKafkaConnection() {
    }

    static KafkaSnapClientProperties from(KafkaProperties kafka, KafkaConnectionDetails connection,
                                          KafkaSnapProperties snap) {
        KafkaSnapClientProperties client = new KafkaSnapClientProperties();
        if (kafka != null) {
            kafka.getSsl().buildProperties().forEach((k, v) -> client.put(k, v, "spring.kafka.ssl"));
            kafka.getSecurity().buildProperties().forEach((k, v) -> client.put(k, v, "spring.kafka.security.protocol"));
            client.putAll(kafka.getProperties(), "spring.kafka.properties.");
        }
        if (connection != null) {
            String origin = connection.getClass().getSimpleName().startsWith("PropertiesKafkaConnectionDetails")
                    ? "spring.kafka.bootstrap-servers" : "spring.kafka.bootstrap-servers (from "
                    + connection.getClass().getSimpleName() + ")";
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", connection.getBootstrapServers()),
                    origin);
            String protocol = connection.getSecurityProtocol();
            if (protocol != null && !protocol.isEmpty()) {
                client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol, "spring.kafka.security.protocol");
            }
            SslBundle bundle = connection.getSslBundle();
            if (bundle != null) {
                client.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, SslBundleSslEngineFactory.class,
                        "spring.kafka.ssl.bundle");
                client.put(SslBundle.class.getName(), bundle, "spring.kafka.ssl.bundle");
            }
        } else if (kafka != null) {
            client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", kafka.getBootstrapServers()),
                    "spring.kafka.bootstrap-servers");
        }
        client.putAll(snap.getProperties(), "kafkasnap.properties.");
        return client;
    }
}
