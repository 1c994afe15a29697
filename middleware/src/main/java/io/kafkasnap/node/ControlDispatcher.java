package io.kafkasnap.node;

import io.kafkasnap.format.Membership;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the control topic in offset order: keeps the membership (joins and leaves from offset 0), and turns
 * triggers, aborts and restores into actions. A malformed or unknown record is logged once and skipped.
 */
final class ControlDispatcher {

    /** What control records ask of the node, on the loop. */
    interface Actions {
        /** A snapshot this node is a member of; {@code awaited} are the incoming channels whose sender is too. */
        void trigger(long snapshot, Optional<String> initiator, Set<String> awaited, long triggeredAt);

        void notAMember(long snapshot);

        void aborted(ControlRecord.Abort abort);

        void restore(long epoch, ControlRecord.Restore restore);

        void restored(ControlRecord.Restored restored);
    }

    private static final Logger log = LoggerFactory.getLogger(SnapshotNode.class);

    private final String processId;
    private final Set<String> incoming;
    private final Membership membership = new Membership();
    private final Actions actions;
    private long nextOffset;
    private long catchUpRestoreEpoch = -1;
    private ControlRecord.Restore catchUpRestore;

    ControlDispatcher(String processId, Set<String> incoming, Actions actions) {
        this.processId = processId;
        this.incoming = incoming;
        this.actions = actions;
    }

    /** A record before the point this node acts from: it only updates the membership. */
    void catchUp(long offset, long timestamp, byte[] value) {
        parse(offset, value).ifPresent(record -> {
            membership.accept(offset, timestamp, record);
            if (record instanceof ControlRecord.Restore restore) {
                catchUpRestoreEpoch = offset;
                catchUpRestore = restore;
            }
        });
        nextOffset = offset + 1;
    }

    /** The latest restore among the records caught up with, and its epoch (its offset); empty if none. */
    Optional<Map.Entry<Long, ControlRecord.Restore>> latestRestoreCaughtUp() {
        return catchUpRestore == null ? Optional.empty()
                : Optional.of(Map.entry(catchUpRestoreEpoch, catchUpRestore));
    }

    /** Starts acting at {@code offset}: records below it have been taken by {@link #catchUp}. */
    void actFrom(long offset) {
        nextOffset = offset;
    }

    void dispatch(long offset, long timestamp, byte[] value) {
        if (offset < nextOffset) {
            return; // re-delivered after a seek: acting twice would start a snapshot twice
        }
        nextOffset = offset + 1;
        Optional<ControlRecord> parsed = parse(offset, value);
        if (parsed.isEmpty()) {
            return;
        }
        ControlRecord record = parsed.get();
        Optional<Membership.SnapshotStart> start = membership.accept(offset, timestamp, record);
        if (start.isPresent()) {
            Map<String, ControlRecord.Join> members = start.get().members();
            if (!members.containsKey(processId)) {
                actions.notAMember(offset);
            } else {
                actions.trigger(offset, start.get().initiator(), awaited(members), timestamp);
            }
        } else if (record instanceof ControlRecord.Abort abort) {
            actions.aborted(abort);
        } else if (record instanceof ControlRecord.Restore restore) {
            actions.restore(offset, restore);
        } else if (record instanceof ControlRecord.Restored restored) {
            actions.restored(restored);
        }
    }

    /** The next control offset not yet taken: stored with each step, so a restart acts from there. */
    long nextOffset() {
        return nextOffset;
    }

    /** The current members and their latest joins. */
    Map<String, ControlRecord.Join> members() {
        return membership.members();
    }

    private Set<String> awaited(Map<String, ControlRecord.Join> members) {
        Set<String> awaited = new TreeSet<>();
        for (ControlRecord.Join join : members.values()) {
            if (!join.process().equals(processId)) {
                join.out().stream().filter(incoming::contains).forEach(awaited::add);
            }
        }
        return awaited;
    }

    private Optional<ControlRecord> parse(long offset, byte[] value) {
        try {
            if (value == null) {
                throw new MalformedControlRecordException("the record has no value");
            }
            return Optional.of(ControlRecord.parse(value));
        } catch (MalformedControlRecordException e) {
            log.warn("{}: skipped control record at offset {}: {}", processId, offset, e.getMessage());
            return Optional.empty();
        }
    }
}
