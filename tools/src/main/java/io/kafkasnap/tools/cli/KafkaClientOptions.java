package io.kafkasnap.tools.cli;

import io.kafkasnap.kafka.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Kafka client settings beyond the bootstrap address (TLS, SASL, timeouts), for every command that talks to Kafka,
 * as Kafka's own tools take them. They go to every client the command creates, untouched. A mixin: commands take it
 * through {@link BootstrapOptions} or {@link OptionalBootstrapOptions}.
 */
public final class KafkaClientOptions {

    private static final Logger log = LoggerFactory.getLogger(KafkaClientOptions.class);
    /** The settings of this run, so that an error message printed at exit can be cleaned of their secrets. */
    private static volatile Map<String, Object> lastSettings = Map.of();
    /** Settings already logged by this process: a command that builds several clients logs them once. */
    private static final Set<Map<String, Object>> logged = ConcurrentHashMap.newKeySet();

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "A Kafka client properties file (security.protocol, sasl.*, ssl.*, ...), as Kafka's own "
                    + "tools take; every client of this command gets its settings.")
    Path commandConfig;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting; repeatable; wins over --command-config.")
    Map<String, String> properties = new LinkedHashMap<>();

    /**
     * The client settings: the file's, then each {@code --kafka-property}, then {@code bootstrap.servers} (the
     * command's own option wins). Logged once, with the secrets masked. Does not contact Kafka.
     *
     * @throws IllegalArgumentException if the bootstrap address is blank or the file cannot be read
     */
    public Map<String, Object> clientProperties(String bootstrap) {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers (HOST:PORT) are required");
        }
        Map<String, Object> props = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                file.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --command-config " + commandConfig + ": " + e, e);
            }
            file.stringPropertyNames().forEach(key -> props.put(key, file.getProperty(key)));
        }
        props.putAll(properties);
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        lastSettings = Map.copyOf(props);
        // the settings themselves, not their masked form: another password is another login, worth its line
        if (logged.add(Map.copyOf(props))) {
            log.info("Kafka client settings: {}", Secrets.describe(props));
        }
        return props;
    }

    /** The message with every secret of the settings in use replaced, for printing. */
    public static String redact(String message) {
        return Secrets.redact(message, lastSettings);
    }
}
