package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.embedded.EmbeddedKafkaCluster;
import io.kafkasnap.node.SnapshotNode;
import io.kafkasnap.samples.bank.BankService;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.samples.common.Nodes;
import io.kafkasnap.tools.common.TriggerPublisher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafkasnap against a broker whose client listener is SASL_SSL with SCRAM-SHA-512 (certificates made here with the
 * JDK's keytool) and whose StandardAuthorizer allows each role only the ACLs the README lists. The PLAINTEXT
 * listener, whose anonymous user is a super user, is this test's administration port only.
 */
class SecuredKafkaTest {

    private static final String MECHANISM = "SCRAM-SHA-512";
    private static final String STORE_PASSWORD = "store-" + UUID.randomUUID();
    private static final Map<String, String> PASSWORDS = new LinkedHashMap<>();
    private static final String PREFIX = "sec.";
    private static final String CONTROL = PREFIX + "control";
    private static final String FRAGMENTS = PREFIX + "fragments";
    private static final String CHANNEL_01 = PREFIX + "bank.0.1";
    private static final String CHANNEL_10 = PREFIX + "bank.1.0";

    @TempDir
    static Path dir;

    private static EmbeddedKafkaCluster kafka;
    private static Path truststore;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        for (String user : List.of("node0", "node1", "operator")) PASSWORDS.put(user, "pw-" + user + "-" + UUID.randomUUID());
        Path keystore = dir.resolve("broker.p12");
        truststore = dir.resolve("truststore.p12");
        Path cert = dir.resolve("broker.crt");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", STORE_PASSWORD);
        kafka = EmbeddedKafkaCluster.builder().brokers(1).listener("SECURE", "SASL_SSL")
                .brokerProperty("listener.name.secure.ssl.keystore.type", "PKCS12")
                .brokerProperty("listener.name.secure.ssl.keystore.location", keystore.toString())
                .brokerProperty("listener.name.secure.ssl.keystore.password", STORE_PASSWORD)
                .brokerProperty("listener.name.secure.ssl.key.password", STORE_PASSWORD)
                .brokerProperty("listener.name.secure.sasl.enabled.mechanisms", MECHANISM)
                .brokerProperty("listener.name.secure.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .brokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .brokerProperty("super.users", "User:ANONYMOUS")
                // ACLs are written through the controller, which authorizes them itself; brokers reach it anonymously
                .controllerProperty("authorizer.class.name",
                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .controllerProperty("super.users", "User:ANONYMOUS")
                .build().start();
        try (Admin admin = Admin.create(adminProps())) {
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            PASSWORDS.forEach((user, password) -> users.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get();
        }
        // the broker learns of the credentials through the metadata log, a moment after the controller took them
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Admin admin = Admin.create(secureProps("operator", PASSWORDS.get("operator")))) {
                return admin.describeCluster().clusterId().get() != null;
            }
        });
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) kafka.close();
    }

    @Test
    void bankNodesCollectorAndCliWorkOverSaslSslWithOnlyTheDocumentedAclsAndNoLogLineHoldsASecret() throws Exception {
        long seed = 42;
        Kafka.createTopics(adminProps(), List.of(CONTROL, FRAGMENTS, CHANNEL_01, CHANNEL_10));
        List<AclBinding> acls = new ArrayList<>();
        // node role: read its incoming channels and the control topic, write its outgoing channels, the control
        // topic and the collection topic, describe them all; the topics exist, so no CREATE
        nodeAcls(acls, "node0", CHANNEL_10, CHANNEL_01);
        nodeAcls(acls, "node1", CHANNEL_01, CHANNEL_10);
        // collector role (snapshots list/show/watch): read control, collection and every channel
        for (String topic : List.of(CONTROL, FRAGMENTS, CHANNEL_01, CHANNEL_10)) {
            allow(acls, "operator", topic, AclOperation.READ, AclOperation.DESCRIBE);
        }
        // trigger role: write the control topic
        allow(acls, "operator", CONTROL, AclOperation.WRITE);
        try (Admin admin = Admin.create(adminProps())) {
            admin.createAcls(acls).all().get();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls));
        }

        // the authorizer is on: what a role is not granted is refused
        try (TriggerPublisher notAllowed = new TriggerPublisher(secureProps("operator", PASSWORDS.get("operator")),
                FRAGMENTS)) {
            assertThatThrownBy(() -> notAllowed.trigger(Optional.empty()))
                    .hasMessageContaining("Not authorized to access topics: [" + FRAGMENTS + "]");
        }

        Path operatorConfig = dir.resolve("operator.properties");
        writeProperties(operatorConfig, secureProps("operator", PASSWORDS.get("operator")));
        String bootstrap = kafka.bootstrapServers("SECURE");
        StringWriter logs = new StringWriter();
        List<KafkasnapCliTest.Run> runs = new ArrayList<>();
        try (LogCapture capture = new LogCapture(logs)) {
            List<SnapshotNode> nodes = List.of(
                    BankService.node("bank-0", secureProps("node0", PASSWORDS.get("node0")), dir.resolve("bank-0"),
                                    List.of(CHANNEL_10), List.of(CHANNEL_01), 1000, 50, seed)
                            .controlTopic(CONTROL).collectionTopic(FRAGMENTS).build(),
                    BankService.node("bank-1", secureProps("node1", PASSWORDS.get("node1")), dir.resolve("bank-1"),
                                    List.of(CHANNEL_01), List.of(CHANNEL_10), 1000, 50, seed + 1)
                            .controlTopic(CONTROL).collectionTopic(FRAGMENTS).build());
            try {
                Nodes.startAll(nodes);
                for (int i = 0; i < 3; i++) {
                    KafkasnapCliTest.Run trigger = KafkasnapCliTest.run("trigger", "--bootstrap", bootstrap,
                            "--command-config", operatorConfig.toString(), "--control-topic", CONTROL,
                            "--collection-topic", FRAGMENTS);
                    runs.add(trigger);
                    assertThat(trigger.exitCode()).as("trigger: %s", trigger.err()).isZero();
                    String id = trigger.out().trim();
                    KafkasnapCliTest.Run show = KafkasnapCliTest.run("snapshots", "show", id, "--bootstrap", bootstrap,
                            "--command-config", operatorConfig.toString(), "--control-topic", CONTROL,
                            "--collection-topic", FRAGMENTS);
                    runs.add(show);
                    assertThat(show.exitCode()).as("show %s: %s", id, show.err()).isZero();
                    assertThat(show.lines().get(0)).as("snapshot %s", id)
                            .contains("complete", "members 2", "consistent", "money 2000 =");
                }
                nodes.forEach(n -> assertThat(n.failure()).as(n.processId()).isEmpty());
            } finally {
                Nodes.closeAll(nodes);
            }
        }
        String everything = logs + runs.stream().map(r -> r.out() + r.err()).reduce("", String::concat);
        assertThat(logs.toString()).as("the clients' own configuration dumps were captured")
                .contains("sasl.jaas.config = [hidden]")
                .contains("Kafka client settings:").contains("sasl.jaas.config=[hidden]");
        for (String secret : secrets()) {
            assertThat(everything).as("logs and output of the secured run").doesNotContain(secret);
        }
    }

    @Test
    void aNodeThatMayNotWriteTheCollectionTopicFailsItsSnapshotNamingThePermissionAndKeepsRunning() throws Exception {
        String control = "sec2.control";
        String fragments = "sec2.fragments";
        String in = "sec2.bank.1.0";
        String out = "sec2.bank.0.1";
        Kafka.createTopics(adminProps(), List.of(control, fragments, in, out));
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, "node0", in, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, "node0", out, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "node0", control, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, "node0", fragments, AclOperation.DESCRIBE); // no WRITE
        try (Admin admin = Admin.create(adminProps())) {
            admin.createAcls(acls).all().get();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls));
        }
        SnapshotNode node = BankService.node("bank-0", secureProps("node0", PASSWORDS.get("node0")),
                        dir.resolve("sec2-bank-0"), List.of(in), List.of(out), 1000, 20, 7)
                .controlTopic(control).collectionTopic(fragments).build();
        java.util.Properties admin = new java.util.Properties();
        admin.putAll(adminProps());
        try (io.kafkasnap.collect.SnapshotCollector collector = io.kafkasnap.collect.SnapshotCollector.builder(admin)
                .controlTopic(control).collectionTopic(fragments).build()) {
            node.start();
            long id = collector.trigger(Optional.empty());
            io.kafkasnap.collect.GlobalSnapshot snapshot = collector.await(id, Duration.ofSeconds(90)).orElseThrow();

            assertThat(snapshot.status()).isEqualTo(io.kafkasnap.collect.GlobalSnapshot.Status.FAILED);
            assertThat(snapshot.reason()).isEqualTo("fragment-not-published");
            assertThat(snapshot.detail()).contains("TopicAuthorizationException").contains(fragments);
            assertThat(node.isRunning()).as("the application keeps running").isTrue();
            assertThat(node.failure()).isEmpty();
        } finally {
            node.close();
        }
    }

    @Test
    void aWrongPasswordFailsTheCommandWithAnAuthenticationErrorAndDoesNotPrintIt() throws Exception {
        String wrong = "wrong-" + UUID.randomUUID();
        Path config = dir.resolve("wrong.properties");
        writeProperties(config, secureProps("operator", wrong));
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("trigger", "--bootstrap", kafka.bootstrapServers("SECURE"),
                "--command-config", config.toString(), "--control-topic", CONTROL);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Authentication failed").contains(MECHANISM).doesNotContain(wrong);
    }

    @Test
    void aPlaintextClientAgainstTheTlsListenerFailsNamingTheSecuritySettings() {
        KafkasnapCliTest.Run run = KafkasnapCliTest.run("trigger", "--bootstrap", kafka.bootstrapServers("SECURE"),
                "--control-topic", CONTROL, "--kafka-property", "default.api.timeout.ms=5000",
                "--kafka-property", "request.timeout.ms=3000");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no answer").contains("security.protocol").contains("--command-config");
    }

    private static void nodeAcls(List<AclBinding> acls, String user, String incoming, String outgoing) {
        allow(acls, user, incoming, AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, user, outgoing, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, CONTROL, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        allow(acls, user, FRAGMENTS, AclOperation.WRITE, AclOperation.DESCRIBE);
    }

    private static void allow(List<AclBinding> acls, String user, String topic, AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                    new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static List<String> secrets() {
        List<String> secrets = new ArrayList<>(PASSWORDS.values());
        secrets.add(STORE_PASSWORD);
        return secrets;
    }

    private static Map<String, Object> adminProps() {
        return Kafka.clientProperties(kafka.bootstrapServers());
    }

    private static Map<String, Object> secureProps(String user, String password) {
        Map<String, Object> props = new HashMap<>(Kafka.clientProperties(kafka.bootstrapServers("SECURE")));
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", MECHANISM);
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore.toString());
        props.put("ssl.truststore.password", STORE_PASSWORD);
        return props;
    }

    private static void writeProperties(Path file, Map<String, Object> props) throws IOException {
        StringBuilder text = new StringBuilder();
        props.forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                text.append(key).append('=').append(String.valueOf(value).replace("\\", "\\\\")).append('\n');
            }
        });
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
    }

    /**
     * Every log event of the JVM at INFO and above while open (the root logger is raised from WARN to INFO, so the
     * clients' configuration dumps are included), with stack traces.
     */
    private static final class LogCapture implements AutoCloseable {
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        private final AbstractAppender appender;
        private final Level rootLevel;

        LogCapture(Writer sink) {
            PrintWriter out = new PrintWriter(sink, true);
            appender = new AbstractAppender("secured-run-capture", null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    synchronized (out) {
                        out.println(event.getLevel() + " " + event.getLoggerName() + " - "
                                + event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) event.getThrown().printStackTrace(out);
                    }
                }
            };
            appender.start();
            Configuration config = context.getConfiguration();
            LoggerConfig root = config.getRootLogger();
            rootLevel = root.getLevel();
            root.addAppender(appender, Level.INFO, null);
            for (LoggerConfig logger : config.getLoggers().values()) {
                if (logger != root) logger.addAppender(appender, Level.INFO, null);
            }
            root.setLevel(Level.INFO);
            context.updateLoggers();
        }

        @Override
        public void close() {
            Configuration config = context.getConfiguration();
            config.getRootLogger().setLevel(rootLevel);
            for (LoggerConfig logger : config.getLoggers().values()) logger.removeAppender(appender.getName());
            context.updateLoggers();
            appender.stop();
        }
    }
}
