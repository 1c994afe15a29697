package io.kafkasnap.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A node with a state larger than its heap, run in a JVM of its own by {@link LargeStateFragmentTest}: it writes
 * {@code megabytes} of random values at start and triggers one snapshot; when its standard input closes it exits
 * 0 if the node is still running, 1 if it failed.
 *
 * <p>Arguments: bootstrap servers, control topic, collection topic, state directory, megabytes, seed.
 */
public final class LargeStateNodeMain {

    private LargeStateNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int megabytes = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", bootstrap);
        // The producer's buffer counts against the small heap too; the state must not.
        kafka.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 4 * 1024 * 1024);
        SnapshotNode node = SnapshotNode.builder()
                .processId("large")
                .kafkaProperties(kafka)
                .controlTopic(args[1])
                .collectionTopic(args[2])
                .stateDir(Path.of(args[3]))
                .onStart(ctx -> {
                    Random random = new Random(seed);
                    byte[] value = new byte[1024 * 1024];
                    for (int i = 0; i < megabytes; i++) {
                        random.nextBytes(value);
                        ctx.state().put(String.format("blob-%05d", i), value);
                    }
                })
                .build()
                .start();
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(kafka, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(args[1], 0, null,
                    "{\"v\":1,\"type\":\"snapshot\"}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        // Runs until the test closes our standard input, then says whether the node is still well.
        while (System.in.read() >= 0) {
            // the test writes nothing; it only closes the stream
        }
        node.failure().ifPresent(Throwable::printStackTrace);
        int exit = node.isRunning() ? 0 : 1;
        System.out.println("heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB, state "
                + megabytes + " MB, node " + (exit == 0 ? "running" : "failed"));
        node.close();
        System.exit(exit);
    }
}
