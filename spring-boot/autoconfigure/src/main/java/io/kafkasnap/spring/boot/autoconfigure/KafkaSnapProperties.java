package io.kafkasnap.spring.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The node of this application: who it is, where it keeps its state, its channels, and the Kafka client properties
 * it adds to Spring's Kafka connection. The node's own settings ({@code kafkasnap.snapshot.timeout},
 * {@code kafkasnap.control.topic}, ...) are bound in typed form by {@link NodeSettings}, one per setting of
 * {@link io.kafkasnap.node.SnapshotNodeConfig}.
 */
@ConfigurationProperties(prefix = "kafkasnap")
public class KafkaSnapProperties {

    /** Whether to run a snapshot node in this application. */
    private boolean enabled = true;

    /**
     * This process's id, unique among the nodes that share a control topic: letters, digits, '.', '_' and '-'.
     * Defaults to spring.application.name.
     */
    private String processId;

    /** Where RocksDB keeps this node's state, input positions and recorded channel records. */
    private Path stateDir;

    /** Incoming channel topics: each one partition, written by one other process. */
    private List<String> incoming = new ArrayList<>();

    /** Outgoing channel topics: each one partition, read by one other process. */
    private List<String> outgoing = new ArrayList<>();

    /**
     * Kafka client properties for the node's producers, consumer and admin client, on top of Spring's Kafka
     * connection (spring.kafka.bootstrap-servers, security, SSL and spring.kafka.properties.*).
     */
    private Map<String, String> properties = new LinkedHashMap<>();

    private final Lifecycle lifecycle = new Lifecycle();

    private final Endpoint endpoint = new Endpoint();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getProcessId() {
        return processId;
    }

    public void setProcessId(String processId) {
        this.processId = processId;
    }

    public Path getStateDir() {
        return stateDir;
    }

    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    public List<String> getIncoming() {
        return incoming;
    }

    public void setIncoming(List<String> incoming) {
        this.incoming = incoming;
    }

    public List<String> getOutgoing() {
        return outgoing;
    }

    public void setOutgoing(List<String> outgoing) {
        this.outgoing = outgoing;
    }

    public Map<String, String> getProperties() {
        return properties;
    }

    public void setProperties(Map<String, String> properties) {
        this.properties = properties;
    }

    public Lifecycle getLifecycle() {
        return lifecycle;
    }

    public Endpoint getEndpoint() {
        return endpoint;
    }

    /** When the node starts and stops with the application context. */
    public static class Lifecycle {

        /** Whether the node starts when the application context starts; if not, start the SnapshotNodeLifecycle bean. */
        private boolean autoStartup = true;

        /**
         * The SmartLifecycle phase of the node: it starts after lower phases and stops before them. The default
         * is that of Spring Kafka's listener containers, so the node stops before the web server and data sources.
         */
        private int phase = Integer.MAX_VALUE - 100;

        public boolean isAutoStartup() {
            return autoStartup;
        }

        public void setAutoStartup(boolean autoStartup) {
            this.autoStartup = autoStartup;
        }

        public int getPhase() {
            return phase;
        }

        public void setPhase(int phase) {
            this.phase = phase;
        }
    }

    /** The actuator endpoint "kafkasnap". */
    public static class Endpoint {

        /**
         * Whether POST /actuator/kafkasnap/{snapshot}/restore may roll the whole snapshot group back. Off by
         * default: a restore rewinds every member, not only this application.
         */
        private boolean restoreEnabled = false;

        /** How many assembled snapshots the endpoint keeps in full; older ones keep a summary. */
        private int keepInFull = 20;

        /** How many snapshots the endpoint lists (the most recent); an older one is still found by its id. */
        private int keepSummaries = 1000;

        /**
         * How far back from the first request the endpoint assembles snapshots; older ones are not assembled (a
         * group with a long history would otherwise have all of it assembled and checked first) but are still
         * found by their id.
         */
        private Duration history = Duration.ofHours(1);

        public boolean isRestoreEnabled() {
            return restoreEnabled;
        }

        public void setRestoreEnabled(boolean restoreEnabled) {
            this.restoreEnabled = restoreEnabled;
        }

        public int getKeepInFull() {
            return keepInFull;
        }

        public void setKeepInFull(int keepInFull) {
            this.keepInFull = keepInFull;
        }

        public int getKeepSummaries() {
            return keepSummaries;
        }

        public void setKeepSummaries(int keepSummaries) {
            this.keepSummaries = keepSummaries;
        }

        public Duration getHistory() {
            return history;
        }

        public void setHistory(Duration history) {
            this.history = history;
        }
    }
}
