package io.kafkasnap.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster inside the JVM, built from Kafka's own server classes (the code production brokers run), so
 * tests and the demo need neither Docker nor an installed Kafka: one KRaft controller of its own plus N brokers (one
 * by default), each its own {@link KafkaRaftServer} with its own log directory. A single broker is a cluster of one,
 * started and stopped by the same code as a cluster of three.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build().start()) {
 *     String bootstrap = kafka.bootstrapServers(); // one broker
 * }
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().brokers(3).build().start()) {
 *     kafka.kill(kafka.brokerIds().get(0));   // abruptly, as if its process had died
 *     kafka.restart(kafka.brokerIds().get(0)); // from its log directory, on the same port
 * }
 * }</pre>
 *
 * The controller is separate because three nodes that each combine the broker and controller roles do not stop
 * reliably in one JVM (a follower's Raft thread can die and a later shutdown then waits for minutes); a broker that
 * is killed therefore never takes the metadata quorum with it. Brokers start and stop in parallel.
 *
 * <p>With 3 brokers or more, topics default to replication 3 and {@code min.insync.replicas=2}, the settings the
 * README recommends; with fewer, to replication and ISR minimum 1. Each broker has a PLAINTEXT listener (the
 * inter-broker one); {@link Builder#listener} adds more, for example a SASL_SSL one. Not meant for production use.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    /** The listener every broker has; brokers replicate over it. */
    public static final String PLAINTEXT = "PLAINTEXT";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String HOST = "localhost";
    private static final int CONTROLLER_ID = 0;
    /** Beyond this a stop is abandoned, logged, and the rest of the cluster is stopped anyway. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** What a broker writes at a clean stop; without it the next start recovers the logs, as after a crash. */
    private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";
    /** Free ports are found by binding and releasing; another process can take one in between, so retry. */
    private static final int BIND_ATTEMPTS = 3;

    private final int brokerCount;
    private final int requestedPort;
    private final Path requestedDataDir;
    private final Map<String, String> brokerOverrides;
    private final Map<String, String> controllerOverrides;
    private final Map<String, String> extraListeners;
    private final ExecutorService lifecycle = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "embedded-kafka-lifecycle");
        t.setDaemon(true);
        return t;
    });

    private Path dataDir;
    private String clusterId;
    private int controllerPort;
    private KafkaRaftServer controller;
    /** Broker id to its ports by listener name, fixed at the first start so a restarted broker keeps them. */
    private final Map<Integer, Map<String, Integer>> ports = new TreeMap<>();
    /** Not guarded by {@code this}: brokers start on other threads while {@link #start} holds the monitor. */
    private final Map<Integer, KafkaRaftServer> running = new ConcurrentSkipListMap<>();
    private boolean started;
    private boolean closed;

    private EmbeddedKafkaCluster(Builder builder) {
        this.brokerCount = builder.brokers;
        this.requestedPort = builder.port;
        this.requestedDataDir = builder.dataDir;
        this.brokerOverrides = Map.copyOf(builder.brokerOverrides);
        this.controllerOverrides = Map.copyOf(builder.controllerOverrides);
        this.extraListeners = Map.copyOf(builder.listeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the controller, then every broker in parallel; returns once every broker is registered and unfenced.
     * A data directory that holds a formatted cluster already is resumed with its cluster id, topics and records.
     */
    public synchronized EmbeddedKafkaCluster start() {
        if (closed) throw new IllegalStateException("closed");
        if (started) return this;
        long begin = System.nanoTime();
        try {
            dataDir = requestedDataDir != null ? Files.createDirectories(requestedDataDir)
                    : Files.createTempDirectory("kafkasnap-kafka-");
            refuseCombinedNodeDirectory();
            clusterId = existingClusterId().orElse(Uuid.randomUuid().toString());
            for (int attempt = 1; ; attempt++) {
                try {
                    startNodes();
                    break;
                } catch (RuntimeException e) {
                    stopEverything(); // what did start still holds threads, sockets and log dir locks
                    if (attempt >= BIND_ATTEMPTS || !causedByATakenFreePort(e)) throw e;
                    log.info("A port was taken before Kafka could bind it; retrying with other ports");
                }
            }
            started = true;
        } catch (IOException e) {
            close(); // the caller gets no instance to close when start() is in a try-with-resources header
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Embedded Kafka cluster of {} broker(s) started at {} in {} ms (data in {})", brokerCount,
                bootstrapServers(), (System.nanoTime() - begin) / 1_000_000, dataDir);
        return this;
    }

    /** Picks the ports, then starts the controller and every broker in parallel. */
    private void startNodes() throws IOException {
        ports.clear();
        controllerPort = freePort();
        for (int id = 1; id <= brokerCount; id++) {
            Map<String, Integer> brokerPorts = new LinkedHashMap<>();
            brokerPorts.put(PLAINTEXT, id == 1 && requestedPort != 0 ? requestedPort : freePort());
            for (String listener : extraListeners.keySet()) brokerPorts.put(listener, freePort());
            ports.put(id, brokerPorts);
        }
        controller = startNode(controllerConfig(), CONTROLLER_ID);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int id : ports.keySet()) {
            starts.add(CompletableFuture.runAsync(() -> startBroker(id), lifecycle));
        }
        join(starts);
    }

    /**
     * A port picked as free can be bound by another process before Kafka binds it; only then is a second try
     * worth it. A port the caller asked for stays taken.
     */
    private boolean causedByATakenFreePort(Throwable e) {
        if (requestedPort != 0) return false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) return true;
        }
        return false;
    }

    /**
     * Earlier versions ran a single broker as one node with the broker and controller roles combined, its
     * meta.properties at the top of the directory. Started here, its topics would silently be missing.
     */
    private void refuseCombinedNodeDirectory() {
        if (Files.exists(dataDir.resolve("meta.properties"))) {
            throw new IllegalStateException(dataDir + " holds a Kafka node that combined the broker and controller "
                    + "roles, written by an earlier version; it cannot be resumed as a controller and brokers. "
                    + "Delete it or give another directory");
        }
    }

    /** Every broker's PLAINTEXT address, running or not, comma-separated for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers(PLAINTEXT);
    }

    /** Every broker's address on the named listener (one given to {@link Builder#listener}, or PLAINTEXT). */
    public synchronized String bootstrapServers(String listener) {
        if (closed) throw new IllegalStateException("closed");
        if (!started) throw new IllegalStateException("not started");
        String name = listener.toUpperCase(Locale.ROOT);
        if (!name.equals(PLAINTEXT) && !extraListeners.containsKey(name)) {
            throw new IllegalArgumentException("no listener " + listener + "; the brokers have " + PLAINTEXT
                    + " and " + extraListeners.keySet());
        }
        return ports.values().stream().map(p -> HOST + ":" + p.get(name)).collect(Collectors.joining(","));
    }

    /** The broker ids, 1 to N. */
    public synchronized List<Integer> brokerIds() {
        return List.copyOf(ports.keySet());
    }

    public synchronized boolean isRunning(int brokerId) {
        return running.containsKey(brokerId);
    }

    /**
     * Stops a broker the way a crash would look to the rest of the cluster: no controlled shutdown (its partitions'
     * leadership does not move until the controller misses its heartbeats and fences it) and, removed afterwards,
     * no clean-shutdown marker, so that {@link #restart} recovers its logs as after a real crash. Its sockets close
     * at once, so clients see the connection drop.
     */
    public void kill(int brokerId) {
        KafkaRaftServer broker;
        synchronized (this) {
            broker = running.remove(requireBroker(brokerId));
            if (broker == null) throw new IllegalStateException("broker " + brokerId + " is not running");
        }
        long begin = System.nanoTime();
        stop(broker, "broker " + brokerId);
        try (Stream<Path> files = Files.walk(brokerDir(brokerId))) {
            for (Path marker : files.filter(f -> f.getFileName().toString().equals(CLEAN_SHUTDOWN_FILE)).toList()) {
                Files.delete(marker);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the clean-shutdown marker of broker " + brokerId, e);
        }
        log.info("Embedded Kafka broker {} killed in {} ms", brokerId, (System.nanoTime() - begin) / 1_000_000);
    }

    /** Starts a killed broker again from its log directory, on its old ports; returns once it is unfenced. */
    public void restart(int brokerId) {
        synchronized (this) {
            if (closed) throw new IllegalStateException("closed");
            if (running.containsKey(requireBroker(brokerId))) {
                throw new IllegalStateException("broker " + brokerId + " is running");
            }
        }
        long begin = System.nanoTime();
        startBroker(brokerId);
        log.info("Embedded Kafka broker {} restarted in {} ms", brokerId, (System.nanoTime() - begin) / 1_000_000);
    }

    /** Stops every broker in parallel, then the controller, each within a bounded time; safe to call twice. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        long begin = System.nanoTime();
        stopEverything();
        log.info("Embedded Kafka cluster stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        if (requestedDataDir == null && dataDir != null) deleteTree(dataDir);
        lifecycle.shutdown();
    }

    private void stopEverything() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        Map<Integer, KafkaRaftServer> brokers = new TreeMap<>(running);
        brokers.keySet().forEach(running::remove);
        brokers.forEach((id, broker) ->
                stops.add(CompletableFuture.runAsync(() -> stop(broker, "broker " + id), lifecycle)));
        stops.forEach(CompletableFuture::join);
        KafkaRaftServer controller = this.controller;
        this.controller = null;
        if (controller != null) {
            stop(controller, "controller");
        }
    }

    private void startBroker(int brokerId) {
        running.put(brokerId, startNode(brokerConfig(brokerId), brokerId));
    }

    private KafkaRaftServer startNode(Properties props, int nodeId) {
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        format(config, nodeId);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
            return server;
        } catch (RuntimeException e) {
            try { // a half-started node still holds threads, sockets and the log dir lock
                stop(server, "node " + nodeId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * A stop runs on its own thread and is waited for a bounded time only: a node that hangs in shutdown is
     * logged and left behind (its threads are the JVM's to end) rather than holding up the rest of the cluster.
     */
    private void stop(KafkaRaftServer server, String what) {
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, lifecycle);
        try {
            stopping.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("Embedded Kafka {} did not stop within {} s; left behind", what, STOP_TIMEOUT.toSeconds());
        } catch (ExecutionException e) {
            log.warn("Embedded Kafka {} failed while stopping", what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Properties controllerConfig() {
        Properties p = new Properties();
        p.put("process.roles", "controller");
        p.put("node.id", String.valueOf(CONTROLLER_ID));
        p.put("controller.quorum.voters", CONTROLLER_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("controller").toString());
        // Topics are created by the controller, so the defaults of a new topic are its settings.
        p.put("default.replication.factor", String.valueOf(Math.min(3, brokerCount)));
        p.put("min.insync.replicas", brokerCount >= 3 ? "2" : "1");
        // A dead broker is fenced (and leaves the ISRs) after this long without a heartbeat; production uses 9 s.
        // The controller fences, so the setting is its own: on a broker it is ignored.
        p.put("broker.session.timeout.ms", "6000");
        p.putAll(controllerOverrides);
        return p;
    }

    private Properties brokerConfig(int brokerId) {
        Map<String, Integer> brokerPorts = ports.get(brokerId);
        String listeners = brokerPorts.entrySet().stream()
                .map(e -> e.getKey() + "://" + HOST + ":" + e.getValue()).collect(Collectors.joining(","));
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        extraListeners.forEach((name, protocol) -> protocols.append(',').append(name).append(':').append(protocol));
        int replication = Math.min(3, brokerCount);
        String minIsr = brokerCount >= 3 ? "2" : "1";
        Properties p = new Properties();
        p.put("process.roles", "broker");
        p.put("node.id", String.valueOf(brokerId));
        p.put("controller.quorum.voters", CONTROLLER_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", listeners);
        p.put("advertised.listeners", listeners);
        p.put("inter.broker.listener.name", PLAINTEXT);
        p.put("listener.security.protocol.map", protocols.toString());
        p.put("log.dirs", brokerDir(brokerId).toString());
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        // Fewer internal partitions: the first consumer group or transaction then waits for 1 partition, not 50.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The log cleaner allocates its whole dedupe buffer (128 MiB by default) up front, per broker.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        // A stop is either a kill (which must not hand leadership over) or the end of the cluster; a controlled
        // shutdown would only add the controller's round trips, or hang if the controller went first.
        p.put("controlled.shutdown.enable", "false");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.replica.fetchers", "1");
        p.put("background.threads", "2");
        p.putAll(brokerOverrides);
        return p;
    }

    private Path brokerDir(int brokerId) {
        return dataDir.resolve("broker-" + brokerId);
    }

    private int requireBroker(int brokerId) {
        if (!ports.containsKey(brokerId)) {
            throw new IllegalArgumentException("no broker " + brokerId + "; the brokers are " + ports.keySet());
        }
        return brokerId;
    }

    /** A resumed cluster keeps its id; each node's meta.properties holds it. */
    private Optional<String> existingClusterId() throws IOException {
        Path meta = dataDir.resolve("controller").resolve("meta.properties");
        if (!Files.exists(meta)) return Optional.empty();
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        }
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    /** Formats a node's directory once; a restart from it must keep the cluster id its data belongs to. */
    private void format(KafkaConfig config, int nodeId) {
        Path dir = Path.of(config.metadataLogDir());
        if (Files.exists(dir.resolve("meta.properties"))) return;
        try {
            new Formatter()
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setHasDynamicQuorum(false)
                    .addDirectory(dir.toString())
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) { // run() declares Exception
            throw new IllegalStateException("Could not format " + dir, e);
        }
    }

    private static void join(List<CompletableFuture<Void>> futures) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}", dir, e);
        }
    }

    public static final class Builder {
        private int brokers = 1;
        private int port;
        private Path dataDir;
        private final Map<String, String> brokerOverrides = new LinkedHashMap<>();
        private final Map<String, String> controllerOverrides = new LinkedHashMap<>();
        private final Map<String, String> listeners = new LinkedHashMap<>();

        private Builder() {
        }

        /** How many brokers (default 1). */
        public Builder brokers(int brokers) {
            if (brokers < 1) throw new IllegalArgumentException("brokers must be >= 1, got " + brokers);
            this.brokers = brokers;
            return this;
        }

        /**
         * The PLAINTEXT port of broker 1 (the only one of a single broker); 0, the default, picks a free one. The
         * controller and further brokers always take free ports.
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, got " + port);
            this.port = port;
            return this;
        }

        /**
         * Where the nodes keep their logs and metadata (one folder each). Given a directory, the data outlives
         * {@link #close()}; null (the default): a temporary directory, deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * One more listener on every broker, say {@code ("SECURE", "SASL_SSL")}; configure it with
         * {@code listener.name.secure.*} broker properties, as on a real broker.
         */
        public Builder listener(String name, String securityProtocol) {
            String upper = Objects.requireNonNull(name, "name").toUpperCase(Locale.ROOT);
            if (upper.equals(PLAINTEXT) || upper.equals("CONTROLLER") || !upper.matches("[A-Z0-9_]+")) {
                throw new IllegalArgumentException("listener name " + name + " is reserved or not A-Z 0-9 _");
            }
            listeners.put(upper, Objects.requireNonNull(securityProtocol, "securityProtocol"));
            return this;
        }

        /**
         * Any broker setting, applied last on every broker so it wins over the defaults chosen here. The defaults of
         * new topics ({@code num.partitions}, {@code default.replication.factor}) are the controller's, as in any
         * KRaft cluster: set those with {@link #controllerProperty}.
         */
        public Builder brokerProperty(String key, String value) {
            brokerOverrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Any setting of the controller, applied last. */
        public Builder controllerProperty(String key, String value) {
            controllerOverrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public EmbeddedKafkaCluster build() {
            return new EmbeddedKafkaCluster(this);
        }
    }
}
