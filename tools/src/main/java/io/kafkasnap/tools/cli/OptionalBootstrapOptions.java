package io.kafkasnap.tools.cli;

import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --bootstrap} (optional: without it the command starts its own broker) and the Kafka client options. */
public final class OptionalBootstrapOptions {

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
            description = "Use this Kafka cluster instead of starting one in the JVM.")
    String bootstrap;

    @Mixin
    KafkaClientOptions client;

    /** The address given, or empty when the command is to start its own broker. */
    public Optional<String> bootstrap() {
        return Optional.ofNullable(bootstrap);
    }

    /**
     * The client settings for {@code servers} (the address given, or the broker the command started); checks first
     * that the address answers when it was given.
     */
    public Map<String, Object> clientProperties(String servers) {
        if (bootstrap != null && bootstrap.equals(servers)) {
            Reachability.check(servers);
        }
        return client.clientProperties(servers);
    }
}
