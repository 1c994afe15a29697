package io.kafkasnap.samples.pipeline;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The four pipeline processes in this JVM. */
public final class PipelineCluster implements AutoCloseable {

    private final List<SnapshotNode> nodes;

    private PipelineCluster(List<SnapshotNode> nodes) {
        this.nodes = nodes;
    }

    public static PipelineCluster start(Map<String, Object> kafka, String prefix, String controlTopic,
                                        String collectionTopic, Path stateRoot, double rate, long seed) {
        return start(kafka, prefix, controlTopic, collectionTopic, stateRoot, rate, seed, null);
    }

    /** @param meters where every node's meters go; null gives each node a private registry */
    public static PipelineCluster start(Map<String, Object> kafka, String prefix, String controlTopic,
                                        String collectionTopic, Path stateRoot, double rate, long seed,
                                        MeterRegistry meters) {
        List<String> topics = new ArrayList<>(PipelineService.allTopics(prefix));
        topics.add(controlTopic);
        topics.add(collectionTopic);
        Kafka.createTopics(kafka, topics);
        List<SnapshotNode.Builder> builders = new ArrayList<>();
        builders.add(PipelineService.source(kafka, stateRoot, prefix, rate, seed));
        for (String worker : PipelineService.WORKERS) {
            builders.add(PipelineService.worker(kafka, stateRoot, prefix, worker));
        }
        builders.add(PipelineService.sink(kafka, stateRoot, prefix));
        List<SnapshotNode> nodes = new ArrayList<>();
        for (SnapshotNode.Builder builder : builders) {
            builder.controlTopic(controlTopic).collectionTopic(collectionTopic);
            if (meters != null) {
                builder.meterRegistry(meters);
            }
            nodes.add(builder.build());
        }
        Nodes.startAll(nodes);
        return new PipelineCluster(nodes);
    }

    public List<SnapshotNode> nodes() {
        return nodes;
    }

    @Override
    public void close() {
        Nodes.closeAll(nodes);
    }
}
