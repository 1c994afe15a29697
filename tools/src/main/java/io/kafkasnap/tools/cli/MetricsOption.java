package io.kafkasnap.tools.cli;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Option;

/** {@code --metrics-port}: serve the process's meters for Prometheus at {@code http://host:PORT/metrics}. */
public final class MetricsOption {

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://<host>:PORT/metrics; 0 picks a free port "
                    + "(default: no metrics endpoint).")
    Integer port;

    /** The registry to pass to nodes and dashboards, and the endpoint serving it, if asked for. */
    public static final class Endpoint implements AutoCloseable {
        private final MeterRegistry registry;
        private final HttpServer server;

        Endpoint(MeterRegistry registry, HttpServer server) {
            this.registry = registry;
            this.server = server;
        }

        public MeterRegistry registry() {
            return registry;
        }

        /** The port metrics are served on, or -1. */
        public int port() {
            return server == null ? -1 : server.getAddress().getPort();
        }

        /** ", metrics at http://localhost:P/metrics", or nothing. */
        public String describe() {
            return server == null ? "" : ", metrics at http://localhost:" + port() + "/metrics";
        }

        @Override
        public void close() {
            if (server != null) {
                server.stop(0);
            }
            registry.close();
        }
    }

    public Endpoint open() {
        if (port == null) {
            return new Endpoint(new SimpleMeterRegistry(), null);
        }
        return serve(port);
    }

    /** Micrometer's Prometheus registry on the JDK's HTTP server, as Micrometer's documentation shows it. */
    public static Endpoint serve(int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext("/metrics", exchange -> {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return new Endpoint(registry, server);
        } catch (IOException e) {
            registry.close();
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }
}
