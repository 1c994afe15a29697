package io.kafkasnap.node;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeContext;
import io.kafkasnap.api.RecordHandler;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Markers;
import io.kafkasnap.format.Sequencing;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each record of an incoming channel, on the event loop: holds the channel when the record is of an epoch this
 * node has not entered yet, drops re-sends and older-epoch records by their sequence numbers, skips what is
 * malformed (logged, counted), and hands the rest to the protocol (markers) and to the handler (app records). A
 * handler that throws has its state changes and sends undone, and the node goes on.
 */
final class ChannelInput {

    /** Pausing and resuming channels on the node's consumer. */
    interface Channels {
        void pause(String channel);

        /** Fetches {@code channel} again from {@code position}. */
        void resume(String channel, long position);
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final SnapshotProtocol protocol;
    private final ChannelSequences sequences;
    private final Channels channels;
    private final LongSupplier epoch;
    private final RecordHandler handler;
    private final NodeContext context;
    private final StepRunner steps;
    private final Set<String> held = new HashSet<>();
    private final Counter processed;
    private final Counter skipped;
    private final Counter duplicates;
    private final Counter staleEpoch;
    private final Counter gaps;
    private final Counter handlerFailures;
    private ConsumerRecord<byte[], byte[]> current;

    ChannelInput(String processId, SnapshotProtocol protocol, ChannelSequences sequences, Channels channels,
                 LongSupplier epoch, RecordHandler handler, NodeContext context, StepRunner steps,
                 MeterRegistry meters) {
        this.processId = processId;
        this.protocol = protocol;
        this.sequences = sequences;
        this.channels = channels;
        this.epoch = epoch;
        this.handler = handler;
        this.context = context;
        this.steps = steps;
        String[] tags = {"process", processId};
        this.processed = meters.counter("kafkasnap.records.processed", tags);
        this.skipped = meters.counter("kafkasnap.records.skipped", tags);
        this.duplicates = Counter.builder("kafkasnap.records.duplicates").tags(tags)
                .description("re-sent channel records dropped by their (epoch, seq)").register(meters);
        this.staleEpoch = Counter.builder("kafkasnap.records.stale.epoch").tags(tags)
                .description("channel records of an epoch before the last restore, dropped").register(meters);
        this.gaps = Counter.builder("kafkasnap.records.gaps").tags(tags)
                .description("channel records that arrived ahead of a missing one and were dropped until it comes")
                .register(meters);
        this.handlerFailures = meters.counter("kafkasnap.handler.failures", tags);
    }

    void accept(ConsumerRecord<byte[], byte[]> record) {
        if (held.contains(record.topic())) {
            return; // fetched again once the node enters the record's epoch
        }
        Sequencing.Verdict verdict;
        ChannelHeaders.Sequence sequence;
        long snapshot = -1;
        try {
            sequence = ChannelHeaders.sequence(record.headers());
            if (sequence != null && sequence.epoch() > epoch.getAsLong()) {
                // The sender has applied a restore this node has not read yet: wait for it on the control topic.
                channels.pause(record.topic());
                held.add(record.topic());
                log.debug("{}: {}@{} is of epoch {}, ahead of this node's {}; holding the channel until the restore",
                        processId, record.topic(), record.offset(), sequence.epoch(), epoch.getAsLong());
                return;
            }
            verdict = sequences.check(record.topic(), sequence);
            if (Markers.isMarker(record.headers())) {
                snapshot = Markers.snapshotOf(record.headers());
            }
        } catch (IllegalArgumentException e) {
            skip(record, e.getMessage());
            return;
        }
        switch (verdict) {
            case DUPLICATE -> {
                duplicates.increment();
                protocol.onSkippedRecord(record.topic(), record.offset());
                return;
            }
            case OLD_EPOCH -> {
                staleEpoch.increment();
                protocol.onSkippedRecord(record.topic(), record.offset());
                return;
            }
            case GAP -> {
                gaps.increment();
                log.warn("{}: {}@{} arrived ahead of a missing record; dropped until the sender sends again",
                        processId, record.topic(), record.offset());
                protocol.onSkippedRecord(record.topic(), record.offset());
                return;
            }
            case APPLY -> {
            }
        }
        if (ChannelHeaders.isFence(record.headers())) {
            protocol.onSkippedRecord(record.topic(), record.offset());
        } else if (snapshot >= 0) {
            protocol.onMarker(record.topic(), record.offset(), snapshot);
        } else {
            current = record;
            protocol.onAppRecord(record.topic(), record.offset());
            current = null;
            handle(new IncomingRecord(record.topic(), record.offset(), record.key(), record.value(),
                    record.timestamp(), record.headers()), "");
        }
        sequences.applied(record.topic(), sequence);
    }

    /** Gives the handler one record; if it throws, its state changes and sends are undone and the node goes on. */
    void handle(IncomingRecord record, String what) {
        steps.mark();
        try {
            handler.handle(context, record);
            steps.release();
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            steps.rollback();
            handlerFailures.increment();
            log.error("{}: the handler failed on {}{}@{}; its state changes and sends were undone and the node goes"
                    + " on", processId, what, record.channel(), record.offset(), e);
        }
        processed.increment();
    }

    /** The node entered a new epoch: the channels held for it are fetched again from their positions. */
    void releaseHeld(Map<String, Long> positions) {
        for (String channel : held) {
            channels.resume(channel, positions.get(channel));
        }
        held.clear();
    }

    /** The app record being handed to the protocol right now, for the snapshot steps to keep. */
    ConsumerRecord<byte[], byte[]> current() {
        return current;
    }

    /** A handler or timer failure, for the runtime's timers. */
    void countHandlerFailure() {
        handlerFailures.increment();
    }

    private void skip(ConsumerRecord<byte[], byte[]> record, String why) {
        skipped.increment();
        log.warn("{}: skipped {}@{}: {}; it is neither an app record nor a marker, so the handler does not see it",
                processId, record.topic(), record.offset(), why);
        protocol.onSkippedRecord(record.topic(), record.offset());
    }
}
