package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeContext;
import io.kafkasnap.api.RecordHandler;

import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Sequencing;
import io.kafkasnap.protocol.SnapshotProtocol;
import io.kafkasnap.store.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each record of an incoming channel, on the event loop: holds the channel when the record is of an epoch this
 * node has not entered yet, drops re-sends and older-epoch records by their sequence numbers, skips what is
 * malformed (logged, counted), and hands the rest to the protocol (markers) and to the handler (app records). A
 * handler that throws has its state changes and sends undone, and the node goes on.
 */
final class ChannelInput {

    /** What the control topic says of an epoch ahead of this node's. */
    enum EpochVerdict {
        /** A restore at that offset is read and not yet applied here, or the control topic has not been read that
         * far: hold the channel until it is applied or proved wrong. */
        WAIT,
        /** No restore that counts is at that offset: the record is bad input. */
        NO_SUCH_EPOCH
    }

    interface Epochs {
        long current();

        EpochVerdict ahead(long epoch);
    }

    private static final Logger log = LoggerFactory.getLogger(ChannelInput.class);

    private final String processId;
    private final SnapshotProtocol protocol;
    private final ChannelSequences sequences;
    private final InputControl channels;
    private final Epochs epochs;
    private final RecordHandler handler;
    private final NodeContext context;
    private final StepRunner steps;
    /** Held channels and the epoch each waits for. */
    private final Map<String, Long> held = new HashMap<>();
    /** Channels held after a marker of a snapshot that waits for its other markers before capturing. */
    private final Set<String> aligned = new HashSet<>();
    /**
     * Channels let go in this step, with the position they are read again from: the rest of this poll's records of
     * each were fetched past the hold and are dropped, up to a record at that position.
     */
    private final Map<String, Long> refetching = new HashMap<>();
    private final Counter processed;
    private final Counter skipped;
    private final Counter duplicates;
    private final Counter staleEpoch;
    private final Counter gaps;
    private final Counter handlerFailures;
    private final Counter badEpoch;
    private final Counter heldForAlignment;
    private InputRecord current;
    private final boolean brokenAppliesGaps;
    private final boolean brokenAlignsWithoutHold;

    ChannelInput(String processId, SnapshotProtocol protocol, ChannelSequences sequences, InputControl channels,
                 Epochs epochs, RecordHandler handler, NodeContext context, StepRunner steps,
                 MeterRegistry meters, boolean brokenAppliesGaps, boolean brokenAlignsWithoutHold) {
        this.brokenAppliesGaps = brokenAppliesGaps;
        this.brokenAlignsWithoutHold = brokenAlignsWithoutHold;
        this.processId = processId;
        this.protocol = protocol;
        this.sequences = sequences;
        this.channels = channels;
        this.epochs = epochs;
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
        this.heldForAlignment = Counter.builder("kafkasnap.channels.held").tags(tags)
                .description("times a channel was held after a snapshot's marker while the node waited for its other"
                        + " markers before recording its state").register(meters);
        this.badEpoch = Counter.builder("kafkasnap.records.bad.epoch").tags(tags)
                .description("channel records of an epoch that no restore on the control topic opened, skipped")
                .register(meters);
    }

    void accept(InputRecord record) {
        if (isHeld(record)) {
            return; // fetched again from the position once the hold ends (epoch entered, or all markers in)
        }
        Sequencing.Verdict verdict;
        ChannelHeaders.Sequence sequence;
        long snapshot;
        boolean fence;
        try {
            ChannelHeaders.Read read = ChannelHeaders.read(record.headers());
            sequence = read.sequence();
            snapshot = read.marker();
            fence = read.fence();
            if (sequence != null && sequence.epoch() > epochs.current()) {
                if (epochs.ahead(sequence.epoch()) == EpochVerdict.WAIT) {
                    // The sender applied a restore this node has not applied yet: wait for it.
                    channels.pause(record.topic());
                    held.put(record.topic(), sequence.epoch());
                    log.debug("{}: {}@{} is of epoch {}, ahead of this node's {}; holding the channel until the"
                            + " restore", processId, record.topic(), record.offset(), sequence.epoch(),
                            epochs.current());
                    return;
                }
                badEpoch.increment();
                skip(record, "its header kafkasnap-epoch=" + sequence.epoch() + " names no restore: the control"
                        + " topic has no valid restore record at offset " + sequence.epoch());
                return;
            }
            verdict = sequences.check(record.topic(), sequence);
            if (brokenAppliesGaps && verdict == Sequencing.Verdict.GAP) {
                verdict = Sequencing.Verdict.APPLY;
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
                long[] last = sequences.last(record.topic());
                log.warn("{}: {}@{} has (epoch {}, seq {}) but {} is next; dropped until the sender sends the"
                        + " missing record(s) again", processId, record.topic(), record.offset(), sequence.epoch(),
                        sequence.seq(), last == null ? "anything" : "(" + last[0] + ", " + (last[1] + 1) + ")");
                protocol.onSkippedRecord(record.topic(), record.offset());
                return;
            }
            case APPLY -> {
            }
        }
        if (fence) {
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

    /**
     * The node entered a new epoch, or read further on the control topic: each channel held for an epoch that is
     * now entered, or that the control topic no longer promises, is fetched again from its position and its first
     * record judged anew.
     */
    void recheckHeld(Map<String, Long> positions) {
        for (var it = held.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            if (entry.getValue() <= epochs.current() || epochs.ahead(entry.getValue()) != EpochVerdict.WAIT) {
                it.remove();
                if (!aligned.contains(entry.getKey())) {
                    channels.resume(entry.getKey(), positions.get(entry.getKey()));
                    refetching.put(entry.getKey(), positions.get(entry.getKey()));
                }
            }
        }
    }

    /** Stops taking {@code channel}: its next record comes after a marker of a snapshot not captured here yet. */
    void holdForAlignment(String channel) {
        if (aligned.add(channel)) {
            heldForAlignment.increment();
            if (!held.containsKey(channel)) {
                channels.pause(channel);
            }
        }
    }

    /** Takes {@code channel} again from {@code position}, unless it is also held for an epoch. */
    void releaseFromAlignment(String channel, long position) {
        if (aligned.remove(channel) && !held.containsKey(channel) && !brokenAlignsWithoutHold) {
            channels.resume(channel, position);
            refetching.put(channel, position);
        }
    }

    /** Whether {@code record} is not taken now: its channel is held, or it was fetched past a hold let go. */
    private boolean isHeld(InputRecord record) {
        if (held.isEmpty() && aligned.isEmpty() && refetching.isEmpty()) {
            return false; // nearly always: no map lookups on the per-record path
        }
        return held.containsKey(record.topic()) || (!brokenAlignsWithoutHold && aligned.contains(record.topic()))
                || isFetchedPastHold(record);
    }

    private boolean isFetchedPastHold(InputRecord record) {
        Long from = refetching.get(record.topic());
        if (from == null) {
            return false;
        }
        if (record.offset() == from) {
            refetching.remove(record.topic());
            return false;
        }
        return true;
    }

    /** The step ended: records of the channels let go in it come again from their positions. */
    void endStep() {
        refetching.clear();
    }

    /** The held channels and the epoch each waits for. */
    Map<String, Long> held() {
        return Map.copyOf(held);
    }

    /** The app record being handed to the protocol right now, for the snapshot steps to keep. */
    InputRecord current() {
        return current;
    }

    /** A handler or timer failure, for the runtime's timers. */
    void countHandlerFailure() {
        handlerFailures.increment();
    }

    private void skip(InputRecord record, String why) {
        skipped.increment();
        log.warn("{}: skipped {}@{}: {}; it is neither an app record nor a marker, so the handler does not see it",
                processId, record.topic(), record.offset(), why);
        protocol.onSkippedRecord(record.topic(), record.offset());
    }
}
