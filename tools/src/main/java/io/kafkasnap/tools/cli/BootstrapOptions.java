package io.kafkasnap.tools.cli;

import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --bootstrap} (required) and the Kafka client options, for commands that talk to a running cluster. */
public final class BootstrapOptions {

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    KafkaClientOptions client;

    public String bootstrap() {
        return bootstrap;
    }

    /**
     * The client settings, after a quick check that the bootstrap address answers at all.
     *
     * @throws Reachability.UnreachableException within seconds when it does not, naming the address and the cause
     */
    public Map<String, Object> clientProperties() {
        Reachability.check(bootstrap);
        return client.clientProperties(bootstrap);
    }

    /** The same as {@link java.util.Properties}, which the library's builders take. */
    public java.util.Properties properties() {
        java.util.Properties props = new java.util.Properties();
        props.putAll(clientProperties());
        return props;
    }
}
