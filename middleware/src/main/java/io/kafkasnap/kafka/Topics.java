package io.kafkasnap.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the topics a node uses exist with exactly one partition: FIFO order, which the protocol needs,
 * holds only within a partition.
 */
public final class Topics {

    private static final long TIMEOUT_SECONDS = 30;
    /** How long a freshly created topic may take to show in the metadata of the broker we ask. */
    private static final long VISIBLE_WITHIN_MILLIS = 30_000;

    /** Kept for good: membership and restores are read from offset 0, fragments are restore points. */
    public static final Map<String, String> KEEP_FOREVER = Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1");
    /** One record per key survives: the latest status of each node. */
    public static final Map<String, String> COMPACTED = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT);

    private Topics() {
    }

    /**
     * Checks every topic; creates the missing ones with one partition if {@code create}, else fails naming them.
     *
     * @throws IllegalStateException naming the topic that is missing or has more than one partition
     */
    public static void requireSinglePartition(Admin admin, Collection<String> topics, boolean create) {
        Map<String, Map<String, String>> plain = new HashMap<>();
        topics.forEach(topic -> plain.put(topic, Map.of()));
        requireSinglePartition(admin, plain, create);
    }

    /**
     * As {@link #requireSinglePartition(Admin, Collection, boolean)}; a topic this creates gets its configs (for
     * example {@link #KEEP_FOREVER}). A topic that exists keeps its own.
     */
    public static void requireSinglePartition(Admin admin, Map<String, Map<String, String>> topics, boolean create) {
        requireSinglePartition(admin, topics, create, Optional.empty());
    }

    /**
     * As {@link #requireSinglePartition(Admin, Map, boolean)}, creating missing topics with {@code replication}
     * replicas, or the cluster's default ({@code default.replication.factor}) when empty.
     */
    public static void requireSinglePartition(Admin admin, Map<String, Map<String, String>> topics, boolean create,
                                              Optional<Short> replication) {
        Set<String> missing = describe(admin, topics.keySet());
        if (missing.isEmpty()) {
            return;
        }
        if (!create) {
            throw new IllegalStateException("topic(s) " + missing + " do not exist and topic creation is off"
                    + " (kafkasnap.topics.create=false); create them with one partition");
        }
        List<NewTopic> newTopics = new ArrayList<>();
        missing.forEach(topic -> newTopics.add(
                new NewTopic(topic, Optional.of(1), replication).configs(topics.get(topic))));
        admin.createTopics(newTopics).values().forEach((topic, future) -> {
            try {
                future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause(), e);
                }
            } catch (TimeoutException | InterruptedException e) {
                throw interruptedOrTimedOut("creating topic " + topic, e);
            }
        });
        // A created topic reaches the metadata of every broker a moment later; until then describe says it is
        // unknown. Someone may also have raced us and created one with more partitions, which describe catches.
        long deadline = System.currentTimeMillis() + VISIBLE_WITHIN_MILLIS;
        Set<String> invisible = missing;
        while (!(invisible = describe(admin, invisible)).isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("topic(s) " + invisible + " were created but are still unknown to"
                        + " the cluster after " + VISIBLE_WITHIN_MILLIS + " ms");
            }
            try {
                Thread.sleep(100); // a poll interval, not synchronisation: the next describe decides
            } catch (InterruptedException e) {
                throw interruptedOrTimedOut("waiting for topics " + invisible, e);
            }
        }
    }

    /**
     * The value of a config of {@code topic} (for example {@code max.message.bytes}), as the broker resolves it;
     * empty when the client may not describe the topic's configs (no DescribeConfigs ACL), which is not an error.
     */
    public static Optional<String> config(Admin admin, String topic, String name) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .get(resource);
            ConfigEntry entry = config == null ? null : config.get(name);
            return Optional.ofNullable(entry).map(ConfigEntry::value);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot describe the configs of topic " + topic + ": " + e.getCause(), e);
        } catch (TimeoutException | InterruptedException e) {
            throw interruptedOrTimedOut("describing the configs of topic " + topic, e);
        }
    }

    /** Checks the topics that exist; returns the ones that do not. */
    private static Set<String> describe(Admin admin, Collection<String> topics) {
        Set<String> missing = new TreeSet<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
        for (String topic : topics) {
            try {
                check(topic, described.get(topic).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
                }
                missing.add(topic);
            } catch (TimeoutException | InterruptedException e) {
                throw interruptedOrTimedOut("describing topic " + topic, e);
            }
        }
        return missing;
    }

    private static void check(String topic, TopicDescription description) {
        int partitions = description.partitions().size();
        if (partitions != 1) {
            throw new IllegalStateException("topic " + topic + " has " + partitions + " partitions; kafkasnap needs"
                    + " exactly one, because FIFO order (which snapshots rely on) holds only within a partition");
        }
    }

    private static IllegalStateException interruptedOrTimedOut(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException("gave up " + what + ": " + e, e);
    }
}
