package io.kafkasnap.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The snapshot group this application's node belongs to, as configured: one control topic is one group.
 *
 * @param snapshotTimeout the node's snapshot timeout; the endpoint's reader reports a snapshot timed out later
 */
public record KafkaSnapGroup(String processId, String controlTopic, String collectionTopic, Duration snapshotTimeout,
                             KafkaSnapClientProperties clientProperties) {
}
