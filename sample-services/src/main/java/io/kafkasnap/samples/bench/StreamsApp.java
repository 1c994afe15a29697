package io.kafkasnap.samples.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams side of the comparison: {@code in} → a processor that counts every record in a persistent
 * (RocksDB) key-value store, as the middleware's sink counts into its state, and forwards it unchanged → {@code out}.
 * Everything else is Kafka Streams' default: one stream thread, the store's changelog on and its cache off (the
 * defaults of {@link Stores#keyValueStoreBuilder}), {@code commit.interval.ms} 30 s under at_least_once and 100 ms
 * under exactly_once_v2.
 */
final class StreamsApp implements AutoCloseable {

    private static final String STORE = "count";
    private static final String KEY = "count";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaStreams streams;
    private final AtomicLong counted = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch running = new CountDownLatch(1);

    private StreamsApp(Map<String, Object> kafka, String applicationId, Bench.Guarantee guarantee, Path stateDir,
                       String in, String out) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.Long()));
        builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new Counter(counted), STORE)
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee.config());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        streams = new KafkaStreams(builder.build(), props);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /** Starts the app and returns once its one task runs (assigned, store open), so timing starts at work. */
    static StreamsApp start(Map<String, Object> kafka, String applicationId, Bench.Guarantee guarantee,
                            Path stateDir, String in, String out) throws InterruptedException {
        StreamsApp app = new StreamsApp(kafka, applicationId, guarantee, stateDir, in, out);
        app.streams.start();
        if (!app.running.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            app.close();
            throw new IllegalStateException("Kafka Streams app " + applicationId + " not running within "
                    + START_TIMEOUT + " (state " + app.streams.state() + ")", app.failure.get());
        }
        return app;
    }

    /** The count in the store as of the last record processed. */
    long counted() {
        return counted.get();
    }

    /** Fails with the app's error if its stream thread died. */
    void requireHealthy() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("the Kafka Streams app failed: " + t.getMessage(), t);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }

    /** Counts in the store and forwards the record as it came. */
    private static final class Counter implements Processor<byte[], byte[], byte[], byte[]> {

        private final AtomicLong counted;
        private ProcessorContext<byte[], byte[]> context;
        private KeyValueStore<String, Long> store;

        Counter(AtomicLong counted) {
            this.counted = counted;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            Long before = store.get(KEY);
            long now = (before == null ? 0 : before) + 1;
            store.put(KEY, now);
            counted.set(now);
            context.forward(record);
        }
    }
}
