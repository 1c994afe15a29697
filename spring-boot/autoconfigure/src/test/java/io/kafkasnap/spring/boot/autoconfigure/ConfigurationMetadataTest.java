package io.kafkasnap.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kafkasnap.node.SnapshotNodeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * The node settings' configuration metadata is generated from SnapshotNodeConfig's one definition: this test
 * generates it and fails when the file in src/main/resources differs. Regenerate with
 * {@code ./mvnw -pl spring-boot/autoconfigure -am test -Dtest=ConfigurationMetadataTest -Dkafkasnap.metadata.write=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ConfigurationMetadataTest {

    static final Path FILE = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The middleware's one declaration of the node settings. */
    static ConfigDef definition() {
        return SnapshotNodeConfig.configDef();
    }

    static String generate() throws Exception {
        ConfigDef definition = definition();
        List<Map<String, Object>> properties = new ArrayList<>();
        for (NodeSettings.Setting setting : NodeSettings.ALL) {
            ConfigDef.ConfigKey key = definition.configKeys().get(setting.setting());
            Map<String, Object> property = new LinkedHashMap<>();
            property.put("name", setting.property());
            property.put("type", setting.kind().springType().getName());
            property.put("description", key.documentation + " (Node setting " + setting.setting() + ".)");
            property.put("sourceType", NodeSettings.class.getName());
            if (key.hasDefault() && key.defaultValue != null) {
                property.put("defaultValue", setting.toSpring(key.defaultValue));
            }
            properties.add(property);
        }
        return JSON.writeValueAsString(Map.of("properties", properties)) + "\n";
    }

    @Test
    void everySettingOfTheNodeHasATypedPropertyAndBackAgain() throws Exception {
        Set<String> declared = new TreeSet<>(definition().names());
        Set<String> mapped = new TreeSet<>();
        NodeSettings.ALL.forEach(s -> mapped.add(s.setting()));
        assertThat(mapped).as("SnapshotNodeConfig settings without a Spring property in NodeSettings.ALL")
                .containsExactlyElementsOf(declared);
        assertThat(NodeSettings.ALL.stream().map(NodeSettings.Setting::property).distinct().count())
                .isEqualTo(NodeSettings.ALL.size());
    }

    @Test
    void typesFollowTheDefinition() throws Exception {
        ConfigDef definition = definition();
        for (NodeSettings.Setting setting : NodeSettings.ALL) {
            ConfigDef.Type type = definition.configKeys().get(setting.setting()).type;
            ConfigDef.Type expected = switch (setting.kind()) {
                case TEXT -> ConfigDef.Type.STRING;
                case FLAG -> ConfigDef.Type.BOOLEAN;
                case NUMBER, BYTES -> ConfigDef.Type.INT;
                case MILLIS -> ConfigDef.Type.LONG;
            };
            assertThat(type).as(setting.setting()).isEqualTo(expected);
            if (setting.kind() == NodeSettings.Kind.MILLIS) {
                assertThat(setting.setting()).endsWith(".ms");
            }
            if (setting.kind() == NodeSettings.Kind.BYTES) {
                assertThat(setting.setting()).endsWith(".bytes");
            }
            assertThat(setting.property()).startsWith("kafkasnap.").matches("[a-z0-9.-]+");
        }
    }

    @Test
    void theMetadataFileIsGeneratedFromTheDefinition() throws Exception {
        String generated = generate();
        if (Boolean.getBoolean("kafkasnap.metadata.write")) {
            Files.writeString(FILE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(FILE, StandardCharsets.UTF_8))
                .as(FILE + " is out of date; regenerate it (see this test's javadoc)")
                .isEqualTo(generated);
    }

    @Test
    void theBuiltMetadataHasTheNodeSettingsAndThePropertiesClass() throws IOException {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json from the configuration processor").isNotNull();
            metadata = JSON.readTree(in);
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        metadata.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
        assertThat(byName).containsKeys("kafkasnap.process-id", "kafkasnap.state-dir", "kafkasnap.incoming",
                "kafkasnap.outgoing", "kafkasnap.properties", "kafkasnap.lifecycle.auto-startup",
                "kafkasnap.endpoint.restore-enabled", "kafkasnap.snapshot.timeout", "kafkasnap.fragment.chunk-size");
        JsonNode timeout = byName.get("kafkasnap.snapshot.timeout");
        assertThat(timeout.get("type").asText()).isEqualTo("java.time.Duration");
        assertThat(timeout.get("defaultValue").asText()).isEqualTo("60s");
        assertThat(timeout.get("description").asText()).contains("aborted");
        assertThat(byName.get("kafkasnap.fragment.chunk-size").get("defaultValue").asText()).isEqualTo("512KB");
        assertThat(byName.get("kafkasnap.endpoint.restore-enabled").get("defaultValue").asBoolean(true)).isFalse();
        assertThat(byName.get("kafkasnap.process-id").get("description").asText()).contains("unique");
        assertThat(byName.get("kafkasnap.endpoint.keep-summaries").get("defaultValue").asInt()).isEqualTo(1000);
        assertThat(byName.get("kafkasnap.endpoint.history").get("type").asText()).isEqualTo("java.time.Duration");
        assertThat(byName.get("kafkasnap.endpoint.history").get("description").asText()).contains("found by their id");
    }
}
