package io.kafkasnap.tools.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.time.Duration;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Small Kafka helpers the tools and the samples share: end offsets, creating topics with clear errors. */
public final class Kafka {

    private Kafka() {
    }

    /** Client properties with only {@code bootstrap.servers} set. */
    public static Map<String, Object> clientProperties(String bootstrap) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers (HOST:PORT) are required");
        }
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return props;
    }

    /** The end offset of partition 0 of {@code topic}, 0 if the topic does not exist. */
    public static long endOffset(Map<String, Object> props, String topic) {
        Map<String, Object> consumerProps = new HashMap<>(props);
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumerProps.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (consumer.partitionsFor(topic, Duration.ofSeconds(30)).isEmpty()) {
                return 0;
            }
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).getOrDefault(partition, 0L);
        } catch (org.apache.kafka.common.errors.UnknownTopicOrPartitionException e) {
            return 0;
        }
    }

    /**
     * Creates the topics that do not exist yet, each with one partition (FIFO channels need one) and the cluster's
     * default replication. Looks first and creates only what is missing, so a client that may describe the topics
     * but not create them (least-privilege ACLs) passes when they exist.
     */
    public static void createTopics(Map<String, Object> props, Collection<String> topics) {
        Map<String, Map<String, String>> plain = new java.util.LinkedHashMap<>();
        topics.forEach(topic -> plain.put(topic, Map.of()));
        createTopics(props, plain);
    }

    /** As {@link #createTopics(Map, Collection)}; a topic this creates gets its configs (a topic that exists keeps its own). */
    public static void createTopics(Map<String, Object> props, Map<String, Map<String, String>> topicConfigs) {
        Collection<String> topics = topicConfigs.keySet();
        Map<String, Object> adminProps = new HashMap<>(props);
        adminProps.putIfAbsent(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        adminProps.putIfAbsent(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        Object bootstrap = props.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(adminProps)) {
            List<NewTopic> newTopics = new ArrayList<>();
            admin.describeTopics(topics).topicNameValues().forEach((topic, future) -> {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw failure("could not describe topic " + topic + " at " + bootstrap, e.getCause());
                    }
                    newTopics.add(new NewTopic(topic, Optional.of(1), Optional.empty()).configs(topicConfigs.get(topic)));
                } catch (TimeoutException e) {
                    throw failure("could not describe topic " + topic + " at " + bootstrap, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            });
            if (newTopics.isEmpty()) {
                return;
            }
            admin.createTopics(newTopics).values().forEach((topic, future) -> {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw failure("could not create topic " + topic + " at " + bootstrap, e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw failure("could not create topic " + topic + " at " + bootstrap, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            });
        }
    }

    /**
     * The cause's own words (they name an authentication or authorization failure); a timeout gets a hint, since a
     * client speaking the wrong protocol to a listener (plaintext to TLS, no SASL to SASL) hears nothing back.
     */
    private static IllegalStateException failure(String what, Throwable cause) {
        String message = what + ": " + cause.getMessage();
        if (cause instanceof TimeoutException
                || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            message += " (no answer: is the address right, and is the listener's security.protocol, with its SASL "
                    + "and TLS settings, in --command-config or --kafka-property?)";
        }
        return new IllegalStateException(message, cause);
    }
}
