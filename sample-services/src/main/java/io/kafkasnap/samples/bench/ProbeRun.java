package io.kafkasnap.samples.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fixed-rate latency probes through Kafka: a plain producer sends stamped probes to {@code sendTopic} at the rate
 * from a thread of its own, and a plain consumer on the calling thread reads them back from {@code readTopic} (the
 * same topic for plain Kafka, an app's output topic otherwise). Both partitions 0. Open loop: a probe is sent when
 * it is due, whether or not the ones before it came back, as the middleware's source node does.
 */
final class ProbeRun {

    private final Map<String, Object> kafka;

    ProbeRun(Map<String, Object> kafka) {
        this.kafka = kafka;
    }

    Bench.Latencies run(String what, String sendTopic, String readTopic, boolean readCommitted, double rate,
                        LatencySamples samples, Duration atMost) throws InterruptedException {
        TopicPartition partition = new TopicPartition(readTopic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(readCommitted);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            consumer.position(partition); // resolve the end now, before the first probe is sent
            FixedRate pace = new FixedRate(rate);
            AtomicLong failures = new AtomicLong();
            Thread sender = new Thread(() -> {
                pace.start(System.nanoTime());
                for (int i = 0; i < samples.total() && pace.awaitDue(i); i++) {
                    producer.send(new ProducerRecord<>(sendTopic, 0, null, Stamps.encode(i, System.nanoTime())),
                            (m, e) -> {
                                if (e != null) {
                                    failures.incrementAndGet();
                                }
                            });
                }
            }, "bench-probe-sender");
            sender.setDaemon(true);
            sender.start();
            long deadline = System.nanoTime() + atMost.toNanos();
            try {
                while (!samples.complete()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        samples.arrived(record.value(), System.nanoTime());
                    }
                    if (failures.get() > 0) {
                        throw new IllegalStateException(what + ": " + failures.get() + " probe sends failed");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(what + ": " + samples.arrivedSoFar() + " of "
                                + samples.total() + " probes arrived within " + atMost);
                    }
                }
            } finally {
                sender.interrupt();
                sender.join();
            }
            return samples.latencies();
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // The node's channel producer sends with linger 0 too; Kafka 4's default of 5 ms would add to every probe.
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer(boolean readCommitted) {
        Map<String, Object> props = new HashMap<>(kafka);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
