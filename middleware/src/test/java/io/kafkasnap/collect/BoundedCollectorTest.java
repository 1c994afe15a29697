package io.kafkasnap.collect;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.Fragment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.testing.KafkaFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2,000 snapshots of two members with 16 KB of state each, read by a collector with {@code keepInFull(50)} in a JVM
 * with a 64 MB heap: every one is summarised and the collector finishes (kept all in full, the same run ends in an
 * OutOfMemoryError).
 */
class BoundedCollectorTest {

    private static final int SNAPSHOTS = 2_000;
    private static final int KEEP = 50;
    private static final int HEAP_MB = 64;

    @TempDir
    Path dir;

    @Test
    void aCollectorKeepingFiftyInFullReadsTwoThousandSnapshotsInASmallHeap() throws Exception {
        String control = KafkaFixture.uniqueTopic("bounded.control");
        String collection = KafkaFixture.uniqueTopic("bounded.fragments");
        KafkaFixture.createTopics(1, control, collection);
        Properties props = KafkaFixture.clientProperties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        Map<String, JsonNode> state = Map.of("blob", TextNode.valueOf("x".repeat(16 * 1024)));
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(control, 0, null,
                    new ControlRecord.Join("p", List.of(), List.of()).toJson())).get();
            producer.send(new ProducerRecord<>(control, 0, null,
                    new ControlRecord.Join("q", List.of(), List.of()).toJson())).get();
            List<Future<RecordMetadata>> triggers = new ArrayList<>();
            for (int i = 0; i < SNAPSHOTS; i++) {
                triggers.add(producer.send(new ProducerRecord<>(control, 0, null,
                        ControlRecord.Trigger.anyMember().toJson())));
            }
            for (Future<RecordMetadata> trigger : triggers) {
                long id = trigger.get(60, TimeUnit.SECONDS).offset();
                for (String process : List.of("p", "q")) {
                    Fragment fragment = new Fragment(id, process, System.currentTimeMillis(), state, Map.of(),
                            Map.of());
                    Chunks.chunks(collection, fragment, 500_000).forEach(producer::send);
                }
            }
            producer.flush();
        }

        Path output = dir.resolve("collector.out");
        Process collector = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "-cp", System.getProperty("java.class.path"),
                BoundedCollectorMain.class.getName(), KafkaFixture.bootstrapServers(), control, collection,
                Integer.toString(SNAPSHOTS), Integer.toString(KEEP))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean ended = collector.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            collector.destroyForcibly();
        }
        String printed = Files.readString(output);
        String last = printed.lines().filter(l -> l.startsWith("summaries ")).findFirst().orElse("");
        assertThat(ended).as("the collector's JVM ended; it printed:%n%s", printed).isTrue();
        assertThat(collector.exitValue()).as("exit code; it printed:%n%s", printed).isZero();
        assertThat(last).as(printed).startsWith("summaries " + SNAPSHOTS + " complete " + SNAPSHOTS + " full " + KEEP
                + " heap ");
    }
}
