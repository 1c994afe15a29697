package io.kafkasnap.collect;

import io.kafkasnap.format.Membership;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Starts restores and follows them: checks that the snapshot can be restored (complete, no violation, every current
 * member a member of it unless new members are allowed), writes the restore record (with where each member's fragment
 * begins on the collection topic, so that nodes need not look), and watches the control topic for each member's
 * {@code restored}.
 */
public final class Restores {

    /** Why a restore was refused; nothing was written. */
    public static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    /** A restore written to the control topic: its epoch, and the members expected to write {@code restored}. */
    public static final class Handle implements AutoCloseable {
        private final long epoch;
        private final long snapshot;
        private final Set<String> expected;
        private final Set<String> restored = new TreeSet<>();
        private final long writtenAtNanos = System.nanoTime();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition control;
        private long doneAtNanos = -1;

        private Handle(Properties props, String controlTopic, long epoch, long snapshot, Set<String> expected) {
            this.epoch = epoch;
            this.snapshot = snapshot;
            this.expected = java.util.Collections.unmodifiableSet(new TreeSet<>(expected));
            this.control = new TopicPartition(controlTopic, 0);
            this.consumer = TopicScan.consumer(props);
            consumer.assign(List.of(control));
            consumer.seek(control, epoch + 1);
        }

        /** The offset of the restore record: the new epoch of the whole system. */
        public long epoch() {
            return epoch;
        }

        public long snapshot() {
            return snapshot;
        }

        /** The processes expected to write {@code restored}: every member when the restore was written. */
        public Set<String> expected() {
            return expected;
        }

        /** Who has written {@code restored} so far; polls the control topic for at most {@code wait}. */
        public Set<String> poll(Duration wait) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                try {
                    if (ControlRecord.parse(record.value()) instanceof ControlRecord.Restored r && r.epoch() == epoch) {
                        restored.add(r.process());
                    }
                } catch (MalformedControlRecordException | RuntimeException e) {
                    // not a record this handle follows
                }
            }
            if (doneAtNanos < 0 && isDone()) {
                doneAtNanos = System.nanoTime();
            }
            return Set.copyOf(restored);
        }

        public boolean isDone() {
            return restored.containsAll(expected);
        }

        /** Expected members that have not written {@code restored} yet. */
        public Set<String> missing() {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(restored);
            return missing;
        }

        /** Polls until every expected member has restored or {@code timeout} passes; returns whether they did. */
        public boolean await(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!isDone() && System.nanoTime() < deadline) {
                poll(Duration.ofMillis(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))));
            }
            return isDone();
        }

        /** From writing the restore to the last expected {@code restored} seen, or empty while not done. */
        public Optional<Duration> duration() {
            return doneAtNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(doneAtNanos - writtenAtNanos));
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private Restores() {
    }

    /**
     * Checks snapshot {@code snapshot} and writes a restore to it.
     *
     * @throws RefusedException naming why, when the snapshot is unknown, not complete, inconsistent, or a current
     *     member is not one of its members and {@code allowNewMembers} is false
     */
    public static Handle restore(Properties props, String controlTopic, String collectionTopic, long snapshot,
                                 boolean allowNewMembers) {
        // Made first: its sender fetches the producer id while the snapshot is checked, so the write is one request.
        try (KafkaProducer<byte[], byte[]> producer = producer(props)) {
            return restore(props, controlTopic, collectionTopic, snapshot, allowNewMembers, producer);
        }
    }

    private static Handle restore(Properties props, String controlTopic, String collectionTopic, long snapshot,
                                  boolean allowNewMembers, KafkaProducer<byte[], byte[]> producer) {
        SnapshotLookup.Located located = SnapshotLookup.locate(props, controlTopic, collectionTopic, snapshot,
                        Long.MAX_VALUE, true)
                .orElseThrow(() -> new RefusedException("snapshot " + snapshot + " is unknown: control offset "
                        + snapshot + " of " + controlTopic + " is not a trigger"));
        GlobalSnapshot target = located.snapshot();
        if (target.status() == GlobalSnapshot.Status.PRUNED) {
            throw new RefusedException("snapshot " + snapshot + " was pruned: " + target.detail()
                    + "; only a complete snapshot can be restored");
        }
        if (target.status() != GlobalSnapshot.Status.COMPLETE) {
            throw new RefusedException("snapshot " + snapshot + " is " + target.status().wire()
                    + (target.reason() == null ? "" : " (" + target.reason() + ": " + target.detail() + ")")
                    + "; only a complete snapshot can be restored");
        }
        if (!target.consistency().violations().isEmpty()) {
            throw new RefusedException("snapshot " + snapshot + " is inconsistent: " + target.consistency().violations());
        }
        // As the control topic stood when the snapshot was looked up: the same read, not a second one.
        Set<String> current = located.membersAtEnd();
        Set<String> newcomers = new TreeSet<>(current);
        newcomers.removeAll(target.members());
        if (!newcomers.isEmpty() && !allowNewMembers) {
            throw new RefusedException("process(es) " + newcomers + " joined after snapshot " + snapshot
                    + " and are not among its members " + target.members() + "; allow new members to start them"
                    + " from their initial state");
        }
        // Where each member's fragment begins, found while checking it: every node then reads S's records only.
        long epoch = write(producer, controlTopic, new ControlRecord.Restore(snapshot, allowNewMembers,
                located.firstChunks()));
        return new Handle(props, controlTopic, epoch, snapshot, current);
    }

    /** The processes that have joined the group and not left, from the control topic. */
    public static Set<String> currentMembers(Properties props, String controlTopic) {
        Membership membership = new Membership();
        TopicScan.readAll(props, controlTopic, Duration.ofSeconds(60), record -> {
            if (record.value() != null) {
                try {
                    membership.accept(record.offset(), record.timestamp(), ControlRecord.parse(record.value()));
                } catch (MalformedControlRecordException e) {
                    // skipped, as the nodes skip it
                }
            }
        });
        return new TreeSet<>(membership.members().keySet());
    }

    private static KafkaProducer<byte[], byte[]> producer(Properties props) {
        Properties producerProps = new Properties();
        producerProps.putAll(props);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long write(KafkaProducer<byte[], byte[]> producer, String controlTopic, ControlRecord record) {
        try {
            return producer.send(new ProducerRecord<>(controlTopic, 0, null, record.toJson())).get().offset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while writing to " + controlTopic, e);
        } catch (ExecutionException e) {
            throw new KafkaException("cannot write to " + controlTopic + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

}
