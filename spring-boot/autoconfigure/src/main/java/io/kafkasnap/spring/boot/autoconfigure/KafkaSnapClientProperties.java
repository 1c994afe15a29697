package io.kafkasnap.spring.boot.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client properties of the node (its producers, consumer and admin client) and of the endpoint's reader,
 * each with the Spring property it came from, so that a refusal names what to change. Built from Spring's Kafka
 * connection (bootstrap servers, security protocol and SSL bundle from {@code KafkaConnectionDetails}, SSL and
 * security properties and {@code spring.kafka.properties.*}) with {@code kafkasnap.properties.*} on top.
 * {@code spring.kafka.producer.*} and {@code spring.kafka.consumer.*} are for the application's own clients and
 * are not used.
 */
public final class KafkaSnapClientProperties {

    private static final Set<String> ALL_ACKS = Set.of("all", "-1");

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    public KafkaSnapClientProperties() {
    }

    /** Sets a client property, remembering the Spring property it came from; a later put wins. */
    public KafkaSnapClientProperties put(String key, Object value, String origin) {
        values.put(key, value);
        origins.put(key, origin);
        return this;
    }

    public KafkaSnapClientProperties putAll(Map<String, ?> properties, String originPrefix) {
        properties.forEach((key, value) -> put(key, value, originPrefix + key));
        return this;
    }

    /** The client properties, as the node's builder and the collector take them. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public Properties asProperties() {
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }

    /** The Spring property a client property came from, e.g. {@code kafkasnap.properties.acks}. */
    public String originOf(String key) {
        return origins.get(key);
    }

    /**
     * Refuses producer settings that break the node's guarantees: channels are FIFO only through one idempotent
     * producer with acks=all, and the node's producers are not transactional.
     *
     * @throws KafkaSnapConfigurationException naming the property
     */
    public void checkGuarantees() {
        if (!values.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new KafkaSnapConfigurationException("spring.kafka.bootstrap-servers", null,
                    "no bootstrap servers: set spring.kafka.bootstrap-servers (or kafkasnap.properties.bootstrap.servers)");
        }
        Object idempotence = values.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
        if (idempotence != null && !Boolean.parseBoolean(idempotence.toString().trim())) {
            throw refused(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "the node's channels stay FIFO under retries only"
                    + " with an idempotent producer; leave it unset or true");
        }
        Object acks = values.get(ProducerConfig.ACKS_CONFIG);
        if (acks != null && !ALL_ACKS.contains(acks.toString().trim().toLowerCase(java.util.Locale.ROOT))) {
            throw refused(ProducerConfig.ACKS_CONFIG, "a record acknowledged by fewer than all in-sync replicas may"
                    + " be lost from a channel; leave it unset or all");
        }
        if (values.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
            throw refused(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the node's producers are idempotent, not"
                    + " transactional (its outbox gives exactly-once); one transactional.id shared by its producers"
                    + " would fence them off each other; remove it");
        }
    }

    private KafkaSnapConfigurationException refused(String key, String reason) {
        return new KafkaSnapConfigurationException(origins.getOrDefault(key, key), values.get(key), reason);
    }

    @Override
    public String toString() {
        // Values may be secrets (passwords, SASL configs): names and origins only.
        return "KafkaSnapClientProperties" + origins;
    }
}
