package io.kafkasnap.engine;

import io.kafkasnap.store.NodeStore;
import io.kafkasnap.store.OutboxEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed outbox on its way out (DESIGN.md, "Durability"): sends entries in order through the channel output
 * and deletes them only as an <em>acknowledged prefix</em> of their channel. Kafka's idempotent producer carries on
 * after a failed batch, so a later entry of a channel can be acknowledged after an earlier one failed; the receiver
 * drops that later copy as a gap. So once a send fails, it and every later entry of its channel count as not
 * delivered, whatever their acknowledgements said, and are sent again in order: the receiver then applies each
 * exactly once (re-sends are dropped by their (epoch, seq)). A marker's offset is reported when it leaves the prefix,
 * from the attempt that is part of that prefix: the copy the receiver applied or a later copy of the same (epoch, seq).
 */
final class Outbox {

    /** What the outbox reports to the engine. */
    interface Events {
        void markerAcknowledged(long snapshot, String channel, long offset);

        /** A send failed in a way a retry cannot mend (record too large, not authorised). */
        void permanentFailure(String channel, Exception cause);
    }

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    private static final class Slot {
        final OutboxEntry entry;
        long attempt = -1;
        boolean acknowledged;
        long offset = -1;

        Slot(OutboxEntry entry) {
            this.entry = entry;
        }
    }

    private final String processId;
    private final ChannelOutput output;
    private final Events events;
    private final int maxRecords;
    private final Map<String, ArrayDeque<Slot>> channels = new LinkedHashMap<>();
    private final SlotWindow<Slot> byId = new SlotWindow<>();
    private final List<Long> toDelete = new ArrayList<>();
    private long attempts;
    /** Markers sent and not yet part of an acknowledged prefix: a snapshot waits for each. */
    private int markersInFlight;
    private long resends;
    private boolean saidFull;
    private int episodesFull;

    private final boolean brokenDeletesOutOfOrder;

    Outbox(String processId, ChannelOutput output, Events events, int maxRecords, boolean brokenDeletesOutOfOrder) {
        this.brokenDeletesOutOfOrder = brokenDeletesOutOfOrder;
        this.processId = processId;
        this.output = output;
        this.events = events;
        this.maxRecords = maxRecords;
    }

    /** Sends entries whose step has committed, after every entry handed over before. */
    void send(List<OutboxEntry> entries) {
        for (OutboxEntry entry : entries) {
            Slot slot = new Slot(entry);
            channels.computeIfAbsent(entry.channel(), c -> new ArrayDeque<>()).add(slot);
            byId.add(entry.id(), slot);
            if (entry.isMarker()) {
                markersInFlight++;
            }
            attempt(slot);
        }
    }

    private void attempt(Slot slot) {
        slot.attempt = attempts++;
        slot.acknowledged = false;
        slot.offset = -1;
        output.send(slot.entry, slot.attempt);
    }

    void onAcknowledged(long id, long attempt, long offset) {
        Slot slot = byId.get(id);
        if (slot == null || slot.attempt != attempt) {
            return; // an earlier attempt: this entry was sent again after a failure before it
        }
        slot.acknowledged = true;
        slot.offset = offset;
        ArrayDeque<Slot> channel = channels.get(slot.entry.channel());
        if (brokenDeletesOutOfOrder) {
            channel.remove(slot);
            byId.remove(id);
            toDelete.add(id);
            if (slot.entry.isMarker()) {
                markersInFlight--;
                events.markerAcknowledged(slot.entry.marker(), slot.entry.channel(), offset);
            }
            return;
        }
        while (!channel.isEmpty() && channel.peekFirst().acknowledged) {
            Slot head = channel.pollFirst();
            byId.remove(head.entry.id());
            toDelete.add(head.entry.id());
            if (head.entry.isMarker()) {
                markersInFlight--;
                events.markerAcknowledged(head.entry.marker(), head.entry.channel(), head.offset);
            }
        }
    }

    void onFailed(long id, long attempt, Exception cause, boolean retriable) {
        Slot slot = byId.get(id);
        if (slot == null || slot.attempt != attempt) {
            return;
        }
        if (!retriable) {
            events.permanentFailure(slot.entry.channel(), cause);
            return;
        }
        ArrayDeque<Slot> channel = channels.get(slot.entry.channel());
        if (brokenDeletesOutOfOrder) {
            attempt(slot);
            return;
        }
        List<Slot> again = new ArrayList<>();
        boolean from = false;
        for (Slot s : channel) {
            from |= s == slot;
            if (from) {
                again.add(s);
            }
        }
        resends += again.size();
        log.warn("{}: sending {} seq {} on {} failed ({}); sending it and the {} record(s) after it on that channel"
                + " again, in order", processId, slot.entry.epoch(), slot.entry.seq(), slot.entry.channel(),
                cause.toString(), again.size() - 1);
        again.forEach(this::attempt);
    }

    /** Forgets every entry: a restore drops what the old epoch had not delivered; its outcomes are stale. */
    void discardAll() {
        channels.clear();
        byId.clear();
        toDelete.clear();
        markersInFlight = 0;
    }

    /**
     * Deletes the entries that left an acknowledged prefix, with the current step. Ids below every entry still in
     * flight and up to the highest one to delete all left a prefix (ids grow with every append, and every committed
     * entry is in flight until it does), so they go as one range; only those above an entry still in flight on
     * another channel are deleted one by one.
     */
    void deleteAcknowledged(NodeStore store) {
        if (toDelete.isEmpty()) {
            return;
        }
        long lowestInFlight = Long.MAX_VALUE;
        for (ArrayDeque<Slot> channel : channels.values()) {
            if (!channel.isEmpty()) {
                lowestInFlight = Math.min(lowestInFlight, channel.peekFirst().entry.id());
            }
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (long id : toDelete) {
            if (id < lowestInFlight) {
                from = Math.min(from, id);
                to = Math.max(to, id + 1);
            } else {
                store.deleteOutbox(id);
            }
        }
        if (from < to) {
            store.deleteOutboxRange(from, to);
        }
        toDelete.clear();
    }

    /** Entries sent and not yet part of an acknowledged prefix. */
    int depth() {
        return byId.size();
    }

    /**
     * Whether an acknowledgement should be taken as soon as it comes rather than with the next step: a marker waits
     * for it (a snapshot's progress), or the outbox is half way to full (the room it frees). Otherwise it only lets
     * the outbox forget what was delivered, which can wait for a step that has work anyway.
     */
    boolean awaitsAcknowledgements() {
        return markersInFlight > 0 || byId.size() >= maxRecords / 2;
    }

    /** Entries sent again after a failure, since start. */
    long resends() {
        return resends;
    }

    /**
     * Whether the loop must stop taking input until acknowledgements catch up; says so in the log once per episode.
     *
     * @param pendingInStep records the current step appended and has not committed yet
     */
    boolean isFull(int pendingInStep) {
        boolean full = byId.size() + pendingInStep >= maxRecords;
        if (full && !saidFull) {
            episodesFull++;
            if (episodesFull == 1) {
                log.warn("{}: the outbox holds {} records (kafkasnap.outbox.max.records={}); not taking input until"
                        + " Kafka acknowledges some (said once; later times at debug level)", processId,
                        byId.size() + pendingInStep, maxRecords);
            } else {
                log.debug("{}: the outbox is full again ({} times so far)", processId, episodesFull);
            }
        }
        saidFull = full;
        return full;
    }
}
