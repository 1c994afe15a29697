package io.kafkasnap.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

class KafkaClientOptionsTest {

    @TempDir
    Path dir;

    static final class Holder {
        @Mixin
        KafkaClientOptions options;
    }

    private static KafkaClientOptions parse(String... args) {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs(args);
        return holder.options;
    }

    @Test
    void fileThenKafkaPropertiesThenBootstrapAreMergedAndValuesPassThroughUntouched() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p=1";
                request.timeout.ms=1000
                bootstrap.servers=ignored:1
                """);
        Map<String, Object> props = parse("--command-config", file.toString(),
                "--kafka-property", "request.timeout.ms=2000", "--kafka-property", "client.id=a=b")
                .clientProperties("localhost:9093");
        assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"u\" password=\"p=1\";")
                .containsEntry("request.timeout.ms", "2000")
                .containsEntry("client.id", "a=b")
                .containsEntry("bootstrap.servers", "localhost:9093")
                .hasSize(5);
    }

    @Test
    void anUnreadableCommandConfigIsAnErrorNamingTheFile() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> parse("--command-config", missing.toString()).clientProperties("localhost:9092"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
    }
}
