package io.kafkasnap.samples.bank;

import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * All branches of a bank in this JVM, one {@link SnapshotNode} each, wired by a {@link BankTopology}. Used by the
 * demo, the benchmark and the tests.
 */
public final class BankCluster implements AutoCloseable {

    /**
     * @param topicPrefix     put before every channel topic ({@code <prefix>bank.<i>.<j>}); may be empty
     * @param controlTopic    the control topic the branches and the trigger share
     * @param collectionTopic where fragments go
     * @param stateRoot       each branch keeps its RocksDB under {@code stateRoot/bank-<i>}
     * @param balance         each branch's initial balance
     * @param rate            transfers per second per branch
     * @param seed            branch i's transfers are drawn with {@code seed + i}
     * @param nodeSettings    settings of {@code SnapshotNodeConfig} every branch gets (e.g. its status topic)
     */
    public record Config(Map<String, Object> kafka, BankTopology topology, String topicPrefix, String controlTopic,
                         String collectionTopic, Path stateRoot, long balance, double rate, long seed,
                         Map<String, Object> nodeSettings) {
        public Config {
            nodeSettings = Map.copyOf(nodeSettings);
        }

        public Config(Map<String, Object> kafka, BankTopology topology, String topicPrefix, String controlTopic,
                      String collectionTopic, Path stateRoot, long balance, double rate, long seed) {
            this(kafka, topology, topicPrefix, controlTopic, collectionTopic, stateRoot, balance, rate, seed, Map.of());
        }

        public Config withNodeSetting(String name, Object value) {
            Map<String, Object> settings = new java.util.HashMap<>(nodeSettings);
            settings.put(name, value);
            return new Config(kafka, topology, topicPrefix, controlTopic, collectionTopic, stateRoot, balance, rate,
                    seed, settings);
        }
    }

    private final Config config;
    private final List<SnapshotNode> nodes;

    private BankCluster(Config config, List<SnapshotNode> nodes) {
        this.config = config;
        this.nodes = nodes;
    }

    /** Creates the channel topics, then builds and starts every branch; returns once all have joined. */
    public static BankCluster start(Config config) {
        BankTopology topology = config.topology();
        // The nodes create the control and collection topics themselves, with the retention a restore needs.
        Kafka.createTopics(config.kafka(), new ArrayList<>(topology.allTopics(config.topicPrefix())));
        List<SnapshotNode> built = new ArrayList<>();
        for (int i = 0; i < topology.size(); i++) {
            String id = BankTopology.processId(i);
            SnapshotNode.Builder builder = BankService.node(id, config.kafka(), config.stateRoot().resolve(id),
                            topology.incoming(config.topicPrefix(), i), topology.outgoing(config.topicPrefix(), i),
                            config.balance(), config.rate(), config.seed() + i)
                    .controlTopic(config.controlTopic())
                    .collectionTopic(config.collectionTopic());
            config.nodeSettings().forEach(builder::setting);
            built.add(builder.build());
        }
        Nodes.startAll(built);
        return new BankCluster(config, built);
    }

    /** The money the bank started with: every branch's initial balance. */
    public long expectedTotal() {
        return config.balance() * config.topology().size();
    }

    public List<SnapshotNode> nodes() {
        return nodes;
    }

    public Config config() {
        return config;
    }

    @Override
    public void close() {
        Nodes.closeAll(nodes);
    }
}
