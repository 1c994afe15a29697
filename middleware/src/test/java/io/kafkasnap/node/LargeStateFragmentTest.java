package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkasnap.format.Chunks;
import io.kafkasnap.testing.KafkaFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose state is larger than its whole heap still publishes its fragment: the capture is read entry by
 * entry and the fragment cut into chunks as it is written, so memory does not grow with the state. The node runs
 * in a JVM of its own with a small heap ({@link LargeStateNodeMain}); this test reads the chunks back one at a
 * time and checks every one.
 */
class LargeStateFragmentTest {

    private static final int HEAP_MB = 48;
    private static final int STATE_MB = 72;

    @TempDir
    Path dir;

    @Test
    void aStateLargerThanTheHeapIsPublishedInChunks() throws Exception {
        String control = KafkaFixture.uniqueTopic("control");
        String collection = KafkaFixture.uniqueTopic("fragments");
        Path output = dir.resolve("node.out");
        Process node = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "-cp", System.getProperty("java.class.path"),
                LargeStateNodeMain.class.getName(), KafkaFixture.bootstrapServers(), control, collection,
                dir.resolve("state").toString(), Integer.toString(STATE_MB), "7")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaFixture.clientProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(collection, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Chunked chunked = new Chunked();

            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                        .failFast("the node's JVM ended", () -> !node.isAlive())
                        .until(() -> {
                            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                                chunked.accept(record);
                            }
                            return chunked.complete();
                        });
            } catch (RuntimeException e) {
                throw new AssertionError(e.getMessage() + "; " + chunked.seen.size() + " of " + chunked.count
                        + " chunks seen; the node said: " + text(output), e);
            }

            assertThat(chunked.corrupt).as("chunks failing their CRC").isZero();
            assertThat(chunked.bytes).as("fragment bytes").isGreaterThan(2L * HEAP_MB * 1024 * 1024);
            System.out.printf("a %d MB state published as %d chunks, %,d bytes, by a node with -Xmx%dm%n", STATE_MB,
                    chunked.count, chunked.bytes, HEAP_MB);
        } finally {
            node.getOutputStream().close();
            boolean ended = node.waitFor(60, TimeUnit.SECONDS);
            if (!ended) {
                node.destroyForcibly();
            }
        }
        assertThat(node.exitValue()).as("the node's JVM: " + text(output)).isZero();
    }

    /** The chunks of the one fragment on the topic, checked as they come and not kept. */
    private static final class Chunked {
        final TreeSet<Integer> seen = new TreeSet<>();
        int count = -1;
        long bytes;
        int corrupt;

        void accept(ConsumerRecord<byte[], byte[]> record) {
            String[] position = header(record, Chunks.CHUNK_HEADER).split("/");
            int index = Integer.parseInt(position[0]);
            count = Integer.parseInt(position[1]);
            CRC32 crc = new CRC32();
            crc.update(record.value());
            if (crc.getValue() != Long.parseLong(header(record, Chunks.CRC_HEADER))) {
                corrupt++;
            }
            assertThat(seen.add(index)).as("chunk %d arrived twice", index).isTrue();
            bytes += record.value().length;
        }

        boolean complete() {
            return count > 0 && seen.size() == count && seen.first() == 0 && seen.last() == count - 1;
        }

        private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
            Header header = record.headers().lastHeader(name);
            assertThat(header).as("header %s", name).isNotNull();
            return new String(header.value(), StandardCharsets.UTF_8);
        }
    }

    private static String text(Path output) {
        try {
            return Files.exists(output) ? Files.readString(output) : "(no output)";
        } catch (IOException e) {
            return "(unreadable output: " + e + ")";
        }
    }
}
