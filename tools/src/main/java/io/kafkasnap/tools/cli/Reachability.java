package io.kafkasnap.tools.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A quick look at the bootstrap address before any Kafka client is built: Kafka's clients retry an unknown host or a
 * refused connection until their timeouts (30-60 s) and then fail in words that differ by client. This resolves each
 * {@code HOST:PORT} and opens a TCP connection, within a few seconds, and fails naming the address and the likely
 * cause when none of them answers. A connection that opens says nothing about TLS or SASL: those errors come from
 * the clients.
 */
public final class Reachability {

    /** {@code -Dkafkasnap.bootstrap.check=false} skips the check (a proxy that only Kafka's clients get through). */
    public static final String SKIP_PROPERTY = "kafkasnap.bootstrap.check";
    private static final int CONNECT_TIMEOUT_MS = 3_000;

    /** Kafka at the bootstrap address does not answer; the message names the address and the likely cause. */
    public static final class UnreachableException extends IllegalStateException {
        UnreachableException(String message) {
            super(message);
        }
    }

    private Reachability() {
    }

    /**
     * @throws IllegalArgumentException if an address is not {@code HOST:PORT}
     * @throws UnreachableException if no address resolves and accepts a connection
     */
    public static void check(String bootstrap) {
        List<String> problems = new ArrayList<>();
        List<String> servers = parse(bootstrap);
        if (!Boolean.parseBoolean(System.getProperty(SKIP_PROPERTY, "true"))) {
            return;
        }
        for (String server : servers) {
            int colon = server.lastIndexOf(':');
            String host = server.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(server.substring(colon + 1));
            String problem = probe(host, port);
            if (problem == null) {
                return;
            }
            problems.add(problem);
        }
        throw new UnreachableException("cannot reach Kafka at " + bootstrap + ": " + String.join("; ", problems));
    }

    private static List<String> parse(String bootstrap) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers (HOST:PORT) are required");
        }
        List<String> servers = new ArrayList<>();
        for (String part : bootstrap.split(",")) {
            String server = part.trim();
            if (server.isEmpty()) {
                continue;
            }
            int colon = server.lastIndexOf(':');
            String port = colon < 0 ? "" : server.substring(colon + 1);
            if (colon <= 0 || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("bootstrap address '" + server + "' is not HOST:PORT (for example "
                        + "localhost:9092)");
            }
            servers.add(server);
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("bootstrap servers (HOST:PORT) are required");
        }
        return servers;
    }

    /** Null when {@code host:port} accepts a connection, else what went wrong, for people. */
    private static String probe(String host, int port) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return "unknown host " + host + " (DNS cannot resolve it: a typo, or a name only known inside a Docker "
                    + "network or another machine?)";
        }
        String last = null;
        for (InetAddress address : addresses) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MS);
                return null;
            } catch (ConnectException e) {
                last = "connection refused by " + describe(host, address) + ":" + port
                        + " (is a broker running there, and is the port right?)";
            } catch (SocketTimeoutException e) {
                last = "no answer from " + describe(host, address) + ":" + port + " within " + CONNECT_TIMEOUT_MS
                        + " ms (a firewall, or a host that is down?)";
            } catch (NoRouteToHostException e) {
                last = "no route to " + describe(host, address) + ":" + port + " (is the host on this network?)";
            } catch (IOException e) {
                last = "cannot connect to " + describe(host, address) + ":" + port + ": " + e.getMessage();
            }
        }
        return last;
    }

    private static String describe(String host, InetAddress address) {
        return host.equals(address.getHostAddress()) ? host : host + " (" + address.getHostAddress() + ")";
    }
}
