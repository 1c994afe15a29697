package io.kafkasnap.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes sure the topics a node uses exist with exactly one partition: FIFO order, which the protocol needs,
 * holds only within a partition.
 */
public final class Topics {

    private static final long TIMEOUT_SECONDS = 30;

    private Topics() {
    }

    /**
     * Checks every topic; creates the missing ones with one partition if {@code create}, else fails naming them.
     *
     * @throws IllegalStateException naming the topic that is missing or has more than one partition
     */
    public static void requireSinglePartition(Admin admin, Collection<String> topics, boolean create) {
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
        if (missing.isEmpty()) {
            return;
        }
        if (!create) {
            throw new IllegalStateException("topic(s) " + missing + " do not exist and topic creation is off"
                    + " (kafkasnap.topics.create=false); create them with one partition");
        }
        List<NewTopic> newTopics = new ArrayList<>();
        missing.forEach(topic -> newTopics.add(new NewTopic(topic, Optional.of(1), Optional.empty())));
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
        // Someone may have raced us and created one with more partitions.
        requireSinglePartition(admin, missing, false);
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
