package io.kafkasnap.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"alice\" password=\"s3cr3t-pw\";";

    private static Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("bootstrap.servers", "localhost:9093");
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", "SCRAM-SHA-512");
        settings.put("sasl.jaas.config", JAAS);
        settings.put("ssl.truststore.location", "/etc/kafka/truststore.p12");
        settings.put("ssl.truststore.password", "trust-pw");
        settings.put("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----abc");
        settings.put("ssl.key.password", "key-pw");
        settings.put("sasl.oauthbearer.client.credentials.client.secret", "oauth-secret");
        settings.put("my.custom.login", "x password=inline-pw y");
        return settings;
    }

    @Test
    void describeMasksJaasPasswordsSecretsAndKeysButShowsTheRest() {
        String line = Secrets.describe(settings());
        assertThat(line).contains("bootstrap.servers=localhost:9093", "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512", "ssl.truststore.location=/etc/kafka/truststore.p12",
                "sasl.jaas.config=[hidden]", "ssl.truststore.password=[hidden]", "ssl.keystore.key=[hidden]",
                "ssl.key.password=[hidden]", "sasl.oauthbearer.client.credentials.client.secret=[hidden]",
                "my.custom.login=[hidden]");
        assertThat(line).doesNotContain("s3cr3t-pw", "trust-pw", "key-pw", "PRIVATE KEY", "oauth-secret",
                "inline-pw", "alice");
    }

    @Test
    void redactRemovesWholeSecretValuesAndPasswordsQuotedFromAJaasValue() {
        String message = "login failed for " + JAAS + " and again with s3cr3t-pw, trust-pw; bootstrap localhost:9093";
        String redacted = Secrets.redact(message, settings());
        assertThat(redacted).doesNotContain("s3cr3t-pw", "trust-pw").contains("localhost:9093", "[hidden]");
    }

    @Test
    void redactLeavesTextWithoutSecretsAlone() {
        assertThat(Secrets.redact("no answer from localhost:9093", settings())).isEqualTo("no answer from localhost:9093");
        assertThat(Secrets.redact(null, settings())).isNull();
    }
}
