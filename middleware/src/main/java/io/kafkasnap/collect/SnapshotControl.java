package io.kafkasnap.collect;

import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.format.Membership;
import io.kafkasnap.kafka.TopicScan;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the control topic below a given offset says of one snapshot: its trigger with its members and the first abort
 * of it. Read from offset 0, since membership is the sum of every join and leave before the trigger; every reader that
 * stops at the same offset reaches the same answer. Optionally also the record at that offset, a restore's own record,
 * whose fragment offsets tell where to read. A node has read the control topic already and hands over what its
 * history says ({@link #of}), the same answer.
 */
final class SnapshotControl {

    /**
     * @param end     the offset the control topic was read up to (exclusive)
     * @param abort   the first abort of the snapshot below {@code end}, or null
     * @param restore the record at {@code end}, when it was asked for and is a restore
     */
    record Found(Membership.SnapshotStart start, ControlRecord.Abort abort, long end,
                 Optional<ControlRecord.Restore> restore) {
    }

    private SnapshotControl() {
    }

    /** What {@link #read} would find for the restore at {@code control.epoch()}, from a node's own history. */
    static Found of(ControlHistory.RestoreControl control) {
        return new Found(control.start(), control.abort().orElse(null), control.epoch(),
                Optional.of(control.restore()));
    }

    /**
     * @param controlEnd  read below this offset only
     * @param withRecordAtEnd also read the record at {@code controlEnd} (a restore's epoch) and keep it if it is a
     *                    restore; it takes no part in the membership
     * @return empty if {@code snapshot} is not the offset of a trigger below {@code controlEnd}
     */
    static Optional<Found> read(KafkaConsumer<byte[], byte[]> consumer, String controlTopic, long snapshot,
                                long controlEnd, boolean withRecordAtEnd, Duration timeout) {
        return read(consumer, controlTopic, snapshot, controlEnd, withRecordAtEnd, timeout, new Membership());
    }

    /**
     * As {@link #read(KafkaConsumer, String, long, long, boolean, Duration)}, leaving in {@code membership} (a new
     * one) every join and leave below the end: who the members are there, from the same read.
     */
    static Optional<Found> read(KafkaConsumer<byte[], byte[]> consumer, String controlTopic, long snapshot,
                                long controlEnd, boolean withRecordAtEnd, Duration timeout, Membership membership) {
        TopicPartition control = new TopicPartition(controlTopic, 0);
        return read(consumer, controlTopic, consumer.endOffsets(List.of(control)).get(control), snapshot, controlEnd,
                withRecordAtEnd, timeout, membership);
    }

    /** As {@link #read(KafkaConsumer, String, long, long, boolean, Duration)}, the topic's end already known. */
    static Optional<Found> read(KafkaConsumer<byte[], byte[]> consumer, String controlTopic, long topicEnd,
                                long snapshot, long controlEnd, boolean withRecordAtEnd, Duration timeout) {
        return read(consumer, controlTopic, topicEnd, snapshot, controlEnd, withRecordAtEnd, timeout,
                new Membership());
    }

    private static Optional<Found> read(KafkaConsumer<byte[], byte[]> consumer, String controlTopic, long topicEnd,
                                        long snapshot, long controlEnd, boolean withRecordAtEnd, Duration timeout,
                                        Membership membership) {
        TopicPartition control = new TopicPartition(controlTopic, 0);
        long end = Math.min(controlEnd, topicEnd);
        if (snapshot >= end) {
            return Optional.empty();
        }
        long readTo = withRecordAtEnd && end < topicEnd ? end + 1 : end;
        Membership.SnapshotStart[] found = {null};
        ControlRecord.Abort[] aborted = {null};
        ControlRecord.Restore[] restore = {null};
        consumer.assign(List.of(control));
        consumer.seekToBeginning(List.of(control));
        TopicScan.readUpTo(consumer, control, readTo, timeout, record -> {
            ControlRecord parsed;
            try {
                parsed = ControlRecord.parse(record.value());
            } catch (MalformedControlRecordException | RuntimeException e) {
                return;
            }
            if (record.offset() == end) {
                if (parsed instanceof ControlRecord.Restore r) {
                    restore[0] = r;
                }
                return;
            }
            Optional<Membership.SnapshotStart> started = membership.accept(record.offset(), record.timestamp(), parsed);
            if (started.isPresent() && record.offset() == snapshot) {
                found[0] = started.get();
            } else if (parsed instanceof ControlRecord.Abort a && a.snapshot() == snapshot && aborted[0] == null) {
                aborted[0] = a;
            }
        });
        return found[0] == null ? Optional.empty()
                : Optional.of(new Found(found[0], aborted[0], end, Optional.ofNullable(restore[0])));
    }
}
