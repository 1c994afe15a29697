package io.kafkasnap.collect;

import io.kafkasnap.format.Membership;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The restores of a snapshot group and how far each got, from the control topic alone: every restore record (its
 * offset is the epoch), the members expected to restore (the members when it was written), and the {@code restored}
 * records that came back. Feed it the control topic in offset order with {@link #accept}, or let {@link #read} or
 * {@link #follow} do so.
 *
 * <p>Not thread-safe: one consumer thread feeds it.
 */
public final class RestoreHistory {

    /**
     * One restore as far as the control topic tells.
     *
     * @param epoch        the restore record's offset, the new epoch of the group
     * @param writtenAt    the restore record's timestamp, epoch millis
     * @param expected     the members when it was written: those that must write {@code restored}
     * @param restored     process → timestamp of its {@code restored} record, epoch millis; may name a process that
     *                     was not expected (one that joined later and caught up with this restore)
     * @param supersededBy the epoch of a later restore written before this one was done: a member that was down
     *                     applies only the latest, so this one may never be done
     */
    public record Restore(long epoch, long snapshot, boolean allowNewMembers, long writtenAt, Set<String> expected,
                          Map<String, Long> restored, OptionalLong supersededBy) {
        public Restore {
            expected = Collections.unmodifiableSet(new TreeSet<>(expected));
            restored = Collections.unmodifiableMap(new TreeMap<>(restored));
        }

        /** Expected members that have written {@code restored}. */
        public Set<String> restoredMembers() {
            Set<String> done = new TreeSet<>(expected);
            done.retainAll(restored.keySet());
            return done;
        }

        /** Expected members that have not written {@code restored} yet. */
        public Set<String> missing() {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(restored.keySet());
            return missing;
        }

        public boolean isDone() {
            return restored.keySet().containsAll(expected);
        }

        /** The timestamp of the last expected {@code restored}, once every expected member has written one. */
        public OptionalLong doneAt() {
            if (!isDone()) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(expected.stream().mapToLong(restored::get).max().orElse(writtenAt));
        }

        /**
         * From the restore record's timestamp to the last expected {@code restored}'s, once done. Both timestamps are
         * set by the producers' clocks, so across machines this is as good as their clocks agree.
         */
        public Optional<Duration> duration() {
            OptionalLong done = doneAt();
            return done.isEmpty() ? Optional.empty() : Optional.of(Duration.ofMillis(Math.max(0,
                    done.getAsLong() - writtenAt)));
        }

        /** {@code done}, {@code superseded} (a later restore came first) or {@code in-progress}. */
        public String state() {
            return isDone() ? "done" : supersededBy.isPresent() ? "superseded" : "in-progress";
        }
    }

    private static final class Builder {
        final long epoch;
        final ControlRecord.Restore record;
        final long writtenAt;
        final Set<String> expected;
        final Map<String, Long> restored = new TreeMap<>();
        OptionalLong supersededBy = OptionalLong.empty();

        Builder(long epoch, ControlRecord.Restore record, long writtenAt, Set<String> expected) {
            this.epoch = epoch;
            this.record = record;
            this.writtenAt = writtenAt;
            this.expected = expected;
        }

        Restore build() {
            return new Restore(epoch, record.snapshot(), record.allowNewMembers(), writtenAt, expected, restored,
                    supersededBy);
        }

        boolean isDone() {
            return restored.keySet().containsAll(expected);
        }
    }

    private final Membership membership = new Membership();
    private final TreeMap<Long, Builder> restores = new TreeMap<>();
    private long nextOffset;

    /**
     * Takes the control record at {@code offset}; a malformed one is skipped, as nodes skip it.
     *
     * @return the restores it changed: a new one, the one it advanced, the ones it superseded
     */
    public List<Restore> accept(long offset, long timestamp, byte[] value) {
        ControlRecord record;
        try {
            record = ControlRecord.parse(value);
        } catch (MalformedControlRecordException e) {
            // the nodes and the collector log it; here it changes nothing
            nextOffset = Math.max(nextOffset, offset + 1);
            return List.of();
        }
        return accept(offset, timestamp, record);
    }

    /** As {@link #accept(long, long, byte[])}, for an already parsed record. */
    public List<Restore> accept(long offset, long timestamp, ControlRecord record) {
        if (offset < nextOffset) {
            // read again after a seek: a restore must not start again
            return List.of();
        }
        nextOffset = offset + 1;
        membership.accept(offset, timestamp, record);
        if (record instanceof ControlRecord.Restore restore) {
            List<Restore> changed = new ArrayList<>();
            for (Builder older : restores.values()) {
                if (!older.isDone() && older.supersededBy.isEmpty()) {
                    older.supersededBy = OptionalLong.of(offset);
                    changed.add(older.build());
                }
            }
            Builder added = new Builder(offset, restore, timestamp, membership.members().keySet());
            restores.put(offset, added);
            changed.add(added.build());
            return changed;
        }
        if (record instanceof ControlRecord.Restored restored) {
            Builder target = restores.get(restored.epoch());
            if (target == null) {
                // no restore record at that offset: written by hand, or by a node gone wrong; nothing to advance
                return List.of();
            }
            // a member that restarts in the middle of a restore writes restored again: the first one counts
            if (target.restored.putIfAbsent(restored.process(), timestamp) == null) {
                return List.of(target.build());
            }
        }
        return List.of();
    }

    /** Every restore read, oldest (lowest epoch) first. */
    public List<Restore> restores() {
        return restores.values().stream().map(Builder::build).toList();
    }

    /** The restore whose record is at control offset {@code epoch}. */
    public Optional<Restore> restore(long epoch) {
        return Optional.ofNullable(restores.get(epoch)).map(Builder::build);
    }

    /** The restores that went back to snapshot {@code snapshot}, oldest first. */
    public List<Restore> restoresTo(long snapshot) {
        return restores.values().stream().filter(b -> b.record.snapshot() == snapshot).map(Builder::build).toList();
    }

    /** The latest restore, the one the group runs in. */
    public Optional<Restore> latest() {
        return restores.isEmpty() ? Optional.empty() : Optional.of(restores.lastEntry().getValue().build());
    }

    /** The control offset after the last record taken. */
    public long nextOffset() {
        return nextOffset;
    }

    /**
     * Reads the control topic from its beginning to its end offset now.
     *
     * @throws KafkaException when the end is not reached within {@code timeout}
     */
    public static RestoreHistory read(Properties props, String controlTopic, Duration timeout) {
        try (Follower follower = follow(props, controlTopic)) {
            follower.catchUp(timeout);
            return follower.history();
        }
    }

    /** Follows the control topic from its beginning; {@link Follower#poll} returns what changed. */
    public static Follower follow(Properties props, String controlTopic) {
        return new Follower(props, controlTopic);
    }

    /** A consumer of the control topic that keeps a {@link RestoreHistory} up to date. Not thread-safe. */
    public static final class Follower implements AutoCloseable {
        private final RestoreHistory history = new RestoreHistory();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final TopicPartition control;

        private Follower(Properties props, String controlTopic) {
            Properties consumerProps = new Properties();
            consumerProps.putAll(props);
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
            this.control = new TopicPartition(controlTopic, 0);
            this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            consumer.assign(List.of(control));
            consumer.seekToBeginning(List.of(control));
        }

        /**
         * Reads what has arrived within {@code timeout}.
         *
         * @return the restores that changed, each once in its latest form, by epoch
         */
        public List<Restore> poll(Duration timeout) {
            Map<Long, Restore> changed = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
                if (record.value() != null) {
                    history.accept(record.offset(), record.timestamp(), record.value())
                            .forEach(r -> changed.put(r.epoch(), r));
                }
            }
            return List.copyOf(changed.values());
        }

        /**
         * Reads up to the control topic's end offset as it is now; returns what changed meanwhile. A control topic
         * that does not exist yet has no restores.
         */
        public List<Restore> catchUp(Duration timeout) {
            if (!consumer.listTopics(timeout).containsKey(control.topic())) {
                return List.of();
            }
            long end = consumer.endOffsets(List.of(control), timeout).get(control);
            long deadline = System.nanoTime() + timeout.toNanos();
            Map<Long, Restore> changed = new TreeMap<>();
            while (consumer.position(control, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("timed out reading " + control.topic() + " up to offset " + end);
                }
                poll(Duration.ofMillis(200)).forEach(r -> changed.put(r.epoch(), r));
            }
            return List.copyOf(changed.values());
        }

        public RestoreHistory history() {
            return history;
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
