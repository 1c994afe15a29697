package io.kafkasnap.tools.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.Restores;
import io.kafkasnap.kafka.Triggers;
import io.kafkasnap.tools.SnapshotChecks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A web page of one snapshot group, built from Kafka alone: the topology from the control topic, lag from the status
 * topic and the channels' end offsets, the snapshots from the collection topic. The page holds summaries and fetches
 * details on click; it is updated with server-sent events ({@code /events}: {@code topology}, {@code snapshot},
 * {@code progress}, {@code restores}).
 *
 * <p>HTTP API, all JSON: {@code GET /api/overview}, {@code GET /api/snapshots/{id}} (states and per-channel counts),
 * {@code GET /api/snapshots/{id}/channels/{topic}} (recorded messages), {@code GET /api/snapshots/{id}/json} (the
 * assembled document, as a download), {@code POST /api/trigger}, {@code POST /api/snapshots/{id}/restore} (the new
 * epoch, or 409 with the reason it is refused).
 */
public final class Dashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final String JSON = "application/json";

    /**
     * @param statusTopic      the nodes' compacted status topic; may not exist (lag is then unknown)
     * @param snapshotTimeout  an unfinished snapshot is reported timed-out this long after its trigger
     * @param maxSummaries     snapshots kept in the history
     * @param maxDetails       snapshots kept in full, whose states and messages can be opened
     */
    public record Config(Map<String, Object> kafka, String controlTopic, String collectionTopic, String statusTopic,
                         String host, int port, Duration snapshotTimeout, int maxSummaries, int maxDetails,
                         String title) {
        public Config {
            kafka = Map.copyOf(kafka);
            Objects.requireNonNull(controlTopic, "controlTopic");
            Objects.requireNonNull(collectionTopic, "collectionTopic");
            Objects.requireNonNull(statusTopic, "statusTopic");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            if (maxSummaries < 1 || maxDetails < 1) {
                throw new IllegalArgumentException("maxSummaries and maxDetails must be at least 1");
            }
        }

        public static Config of(Map<String, Object> kafka, String controlTopic, String collectionTopic, int port) {
            // the page can trigger snapshots and has no login: only this machine by default
            return new Config(kafka, controlTopic, collectionTopic, "kafkasnap.status", "localhost", port,
                    Duration.ofSeconds(30), 1000, 100, "kafkasnap");
        }

        public Config withStatusTopic(String topic) {
            return new Config(kafka, controlTopic, collectionTopic, topic, host, port, snapshotTimeout, maxSummaries,
                    maxDetails, title);
        }

        public Config withTitle(String newTitle) {
            return new Config(kafka, controlTopic, collectionTopic, statusTopic, host, port, snapshotTimeout,
                    maxSummaries, maxDetails, newTitle);
        }

        public Config withSnapshotTimeout(Duration timeout) {
            return new Config(kafka, controlTopic, collectionTopic, statusTopic, host, port, timeout, maxSummaries,
                    maxDetails, title);
        }

        public Config withLimits(int summaries, int detailsKept) {
            return new Config(kafka, controlTopic, collectionTopic, statusTopic, host, port, snapshotTimeout,
                    summaries, detailsKept, title);
        }
    }

    private final Config config;
    private final DashboardState state;
    private final DashboardReader reader;
    private final Queue<SseClient> clients = new ConcurrentLinkedQueue<>();
    private final Properties triggerProperties = new Properties();
    private final MeterRegistry meters;
    private final java.util.Set<String> lagGauges = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Javalin server;

    private Dashboard(Config config, SnapshotChecks check, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.state = new DashboardState(config.maxSummaries(), config.maxDetails(), System.currentTimeMillis());
        this.reader = new DashboardReader(state, config, check, new DashboardReader.Events() {
            @Override
            public void assembled(SnapshotSummary summary) {
                count(summary);
                broadcast("snapshot", summary);
            }

            @Override
            public void snapshot(SnapshotSummary summary) {
                broadcast("snapshot", summary);
            }

            @Override
            public void topology() {
                registerLagGauges();
                broadcast("topology", state.topology(System.currentTimeMillis()));
            }

            @Override
            public void progress() {
                broadcast("progress", state.progress(System.currentTimeMillis()));
            }

            @Override
            public void restores() {
                broadcast("restores", state.restores());
            }
        });
        triggerProperties.putAll(config.kafka());
    }

    /**
     * Starts reading Kafka and serving the page.
     *
     * @param check  the application's invariant, shown per snapshot; {@link SnapshotChecks#none()} for none, {@link SnapshotChecks#installed()} for those on the class path
     * @param meters where the dashboard's meters go (snapshots assembled by status, durations, lag per channel)
     */
    public static Dashboard start(Config config, SnapshotChecks check, MeterRegistry meters) {
        Dashboard dashboard = new Dashboard(config, Objects.requireNonNull(check, "check"),
                meters != null ? meters : new SimpleMeterRegistry());
        try {
            dashboard.startServer();
            dashboard.reader.start();
        } catch (RuntimeException e) {
            dashboard.close();
            throw e;
        }
        return dashboard;
    }

    public static Dashboard start(Config config) {
        return start(config, SnapshotChecks.none(), null);
    }

    /** The page's address, e.g. {@code http://localhost:8080/}. */
    public String url() {
        String host = "0.0.0.0".equals(config.host()) ? "localhost" : config.host();
        return "http://" + host + ":" + server.port() + "/";
    }

    public int port() {
        return server.port();
    }

    /** Why the Kafka reader stopped, if it did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(reader.failure());
    }

    private void startServer() {
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.staticFiles.enableWebjars();
            cfg.jetty.host = config.host();
            cfg.jetty.port = config.port();
            cfg.routes.get("/", ctx -> resource(ctx, "index.html", "text/html; charset=utf-8"));
            cfg.routes.get("/dashboard.js", ctx -> resource(ctx, "dashboard.js", "text/javascript; charset=utf-8"));
            cfg.routes.get("/view.js", ctx -> resource(ctx, "view.js", "text/javascript; charset=utf-8"));
            cfg.routes.get("/dashboard.css", ctx -> resource(ctx, "dashboard.css", "text/css; charset=utf-8"));
            cfg.routes.get("/api/overview", ctx -> json(ctx, state.overview(System.currentTimeMillis())
                    .put("title", config.title()).put("controlTopic", config.controlTopic())
                    .put("collectionTopic", config.collectionTopic()).put("maxDetails", config.maxDetails())));
            cfg.routes.get("/api/snapshots/{id}", ctx -> {
                long id = snapshotId(ctx);
                Optional<? extends JsonNode> detail = state.detail(id);
                if (detail.isPresent()) {
                    json(ctx, detail.get());
                } else {
                    notKept(ctx, id);
                }
            });
            cfg.routes.get("/api/snapshots/{id}/channels/{topic}", ctx -> {
                long id = snapshotId(ctx);
                Optional<? extends JsonNode> messages = state.channelMessages(id, ctx.pathParam("topic"));
                if (messages.isPresent()) {
                    json(ctx, messages.get());
                } else {
                    notKept(ctx, id);
                }
            });
            cfg.routes.get("/api/snapshots/{id}/json", ctx -> {
                long id = snapshotId(ctx);
                Optional<GlobalSnapshot> snapshot = state.snapshot(id);
                if (snapshot.isEmpty()) {
                    notKept(ctx, id);
                    return;
                }
                ctx.header("Content-Disposition", "attachment; filename=\"snapshot-" + id + ".json\"");
                ctx.contentType(JSON).result(snapshot.get().toJson(true).getBytes(StandardCharsets.UTF_8));
            });
            cfg.routes.post("/api/trigger", ctx -> {
                long id = Triggers.trigger(triggerProperties, config.controlTopic(), Optional.empty());
                LOG.info("snapshot {} triggered from the dashboard", id);
                json(ctx, DashboardState.MAPPER.createObjectNode().put("id", id));
            });
            cfg.routes.post("/api/snapshots/{id}/restore", ctx -> restore(ctx, snapshotId(ctx),
                    "true".equals(ctx.queryParam("allowNewMembers"))));
            cfg.routes.sse("/events", client -> {
                client.keepAlive();
                clients.add(client);
                client.onClose(() -> clients.remove(client));
            });
            cfg.routes.exception(NumberFormatException.class, (e, ctx) ->
                    ctx.status(400).contentType(JSON).result("{\"error\":\"not a snapshot id\"}"));
        });
        server.start();
        registerMeters();
    }

    /**
     * Writes a restore after the same checks as the restore command; the page follows it through the
     * {@code restores} events, which come from the control topic like everything else here.
     */
    private void restore(Context ctx, long id, boolean allowNewMembers) {
        Restores.Handle handle;
        try {
            handle = Restores.restore(triggerProperties, config.controlTopic(), config.collectionTopic(), id,
                    allowNewMembers);
        } catch (Restores.RefusedException e) {
            ctx.status(409).contentType(JSON).result(DashboardState.MAPPER.createObjectNode()
                    .put("error", e.getMessage()).toString());
            return;
        } catch (KafkaException e) {
            ctx.status(503).contentType(JSON).result(DashboardState.MAPPER.createObjectNode()
                    .put("error", "cannot restore: " + e.getMessage()).toString());
            return;
        }
        try (handle) {
            LOG.info("restore {} to snapshot {} written from the dashboard", handle.epoch(), id);
            com.fasterxml.jackson.databind.node.ObjectNode body = DashboardState.MAPPER.createObjectNode()
                    .put("epoch", handle.epoch()).put("snapshot", id);
            com.fasterxml.jackson.databind.node.ArrayNode expected = body.putArray("expected");
            handle.expected().forEach(expected::add);
            json(ctx, body);
        }
    }

    private void registerMeters() {
        meters.gauge("kafkasnap.dashboard.sse.clients", clients, Queue::size);
        meters.gauge("kafkasnap.snapshots.in.progress", state, DashboardState::inProgressCount);
        // at 0 from the start, so that a scrape before the first snapshot already has every series
        for (GlobalSnapshot.Status status : GlobalSnapshot.Status.values()) {
            if (status != GlobalSnapshot.Status.IN_PROGRESS) {
                assembled(status.wire());
            }
        }
        snapshotDuration();
    }

    private Counter assembled(String status) {
        return Counter.builder("kafkasnap.snapshots.assembled").tag("status", status)
                .description("snapshots assembled by the dashboard's collector, by status").register(meters);
    }

    private Timer snapshotDuration() {
        return Timer.builder("kafkasnap.snapshot.duration").description("trigger to last fragment")
                .publishPercentileHistogram().register(meters);
    }

    /** One gauge per channel as channels appear in join records; NaN while the lag is unknown. */
    private void registerLagGauges() {
        for (String topic : state.channelTopics()) {
            if (lagGauges.add(topic)) {
                io.micrometer.core.instrument.Gauge.builder("kafkasnap.channel.lag", state, s -> s.lag(topic))
                        .description("end offset of the channel minus its receiver's position (status topic)")
                        .baseUnit("records").tag("channel", topic).register(meters);
            }
        }
    }

    private void notKept(Context ctx, long id) {
        String message = state.summary(id).isPresent()
                ? "snapshot " + id + " is older than the last " + config.maxDetails() + " kept in full; "
                        + "'kafkasnap snapshots show " + id + "' assembles it from the topics"
                : "no snapshot " + id + " (yet)";
        ctx.status(404).contentType(JSON).result(DashboardState.MAPPER.createObjectNode().put("error", message)
                .toString());
    }

    private static long snapshotId(Context ctx) {
        return Long.parseLong(ctx.pathParam("id"));
    }

    private static void json(Context ctx, JsonNode node) {
        ctx.contentType(JSON).result(node.toString());
    }

    private static void resource(Context ctx, String name, String type) {
        try (InputStream in = Dashboard.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                ctx.status(404);
                return;
            }
            ctx.contentType(type).result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void broadcast(String event, Object payload) {
        if (clients.isEmpty()) {
            return;
        }
        String data;
        try {
            data = DashboardState.MAPPER.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (SseClient client : clients) {
            try {
                synchronized (client) {
                    client.sendEvent(event, data);
                }
            } catch (RuntimeException e) {
                clients.remove(client);
            }
        }
    }

    /** Records the meters of an assembled snapshot; called once per snapshot by the reader. */
    void count(SnapshotSummary summary) {
        assembled(summary.status()).increment();
        snapshotDuration().record(Duration.ofMillis(Math.max(0, summary.toLastFragmentMs())));
    }

    @Override
    public void close() {
        for (SseClient client : clients) {
            try {
                client.close();
            } catch (RuntimeException e) {
                // the page is going away anyway
            }
        }
        if (server != null) {
            server.stop();
        }
        reader.close();
    }
}
