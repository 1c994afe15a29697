package io.kafkasnap.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka cluster inside the JVM: one KRaft process with the broker and controller roles
 * combined, built from Kafka's own server classes (the code production brokers run), so tests and the demo
 * need neither Docker nor an installed Kafka.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().build().start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * Only a PLAINTEXT listener on localhost, no security. Not meant for production use.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String HOST = "localhost";
    private static final int NODE_ID = 1;
    /** Free ports are found by binding and releasing; another process can take one in between, so retry. */
    private static final int BIND_ATTEMPTS = 3;

    private final int requestedPort;
    private final Path requestedDataDir;
    private final Map<String, String> overrides;

    private KafkaRaftServer server;
    private Path dataDir;
    private int port;
    private boolean closed;

    private EmbeddedKafka(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedDataDir = builder.dataDir;
        this.overrides = Map.copyOf(builder.overrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the node and returns once it has started: its listener accepts connections and it has
     * registered itself, so clients can create topics right away. Formats the data directory unless it
     * holds a formatted node already; then the node restarts with its cluster id, topics and records.
     */
    public synchronized EmbeddedKafka start() {
        if (closed) throw new IllegalStateException("closed");
        if (server != null) return this;
        long begin = System.nanoTime();
        try {
            dataDir = requestedDataDir != null ? Files.createDirectories(requestedDataDir)
                    : Files.createTempDirectory("kafkasnap-kafka-");
            for (int attempt = 1; ; attempt++) {
                port = requestedPort != 0 ? requestedPort : freePort();
                KafkaConfig config = KafkaConfig.fromProps(config(port, freePort()), false);
                formatUnlessFormatted(config);
                KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
                try {
                    candidate.startup();
                    server = candidate;
                    break;
                } catch (RuntimeException e) {
                    try { // a half-started node still holds threads, sockets and the log dir lock
                        candidate.shutdown();
                        candidate.awaitShutdown();
                    } catch (RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    if (attempt >= BIND_ATTEMPTS || !causedByBind(e)) throw e;
                    log.info("A port was taken before the broker could bind it; retrying with other ports");
                }
            }
        } catch (IOException e) {
            deleteTempDir();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            deleteTempDir();
            throw e;
        }
        log.info("Embedded Kafka started at {} in {} ms (data in {})",
                bootstrapServers(), (System.nanoTime() - begin) / 1_000_000, dataDir);
        return this;
    }

    /** {@code localhost:<port>}, for the {@code bootstrap.servers} client setting. */
    public synchronized String bootstrapServers() {
        if (server == null) throw new IllegalStateException("not started");
        return HOST + ":" + port;
    }

    /** Stops the node and waits until its threads have ended and its files are closed; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (server != null) {
            long begin = System.nanoTime();
            server.shutdown();
            server.awaitShutdown();
            server = null;
            log.info("Embedded Kafka stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        }
        deleteTempDir();
    }

    private Properties config(int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static voter set (not a dynamic quorum) keeps the controller's address out of the metadata log,
        // so a restart from the same directory may come up on different ports.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        // Internal topics default to replication 3 and would never be created on one node.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions: the first consumer group or transaction then waits for 1 partition, not 50.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        // Tests want a group's first rebalance now, not after the 3 s that wait for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates its whole dedupe buffer (128 MiB by default) up front.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    /**
     * A node refuses to start on an unformatted directory, and formatting a formatted one would give it a new
     * cluster id that no longer matches its data. So format once; later starts read the id from meta.properties.
     */
    private void formatUnlessFormatted(KafkaConfig config) throws IOException {
        if (Files.exists(dataDir.resolve("meta.properties"))) return;
        try {
            new Formatter()
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setHasDynamicQuorum(false)
                    .addDirectory(dataDir.toString())
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) { // run() declares Exception
            throw new IllegalStateException("Could not format " + dataDir, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private boolean causedByBind(Throwable e) {
        if (requestedPort != 0) return false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    private void deleteTempDir() {
        if (requestedDataDir != null || dataDir == null) return;
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}", dataDir, e);
        }
        dataDir = null;
    }

    public static final class Builder {
        private int port;
        private Path dataDir;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {
        }

        /** The PLAINTEXT port clients connect to; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port);
            this.port = port;
            return this;
        }

        /**
         * Where the node keeps its logs and metadata. Given a directory, the data outlives {@link #close()} and
         * a later node started on it resumes the same cluster. Null (the default): a temporary directory,
         * deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Any broker setting, applied last so it wins over the defaults chosen here. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public EmbeddedKafka build() {
            return new EmbeddedKafka(this);
        }
    }
}
