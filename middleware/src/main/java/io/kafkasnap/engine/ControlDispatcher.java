package io.kafkasnap.engine;

import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.format.Membership;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the control topic in offset order: keeps its history (membership from offset 0, joins, the verdict on each
 * restore), and turns triggers, aborts and restores into actions. A malformed or unknown record is skipped, and said
 * once per process (not at every start of every node that reads it again).
 */
final class ControlDispatcher {

    /** What control records ask of the node, on the loop. */
    interface Actions {
        /** A snapshot this node is a member of; {@code awaited} are the incoming channels whose sender is too. */
        void trigger(long snapshot, Optional<String> initiator, Set<String> awaited, long triggeredAt);

        void notAMember(long snapshot);

        void aborted(ControlRecord.Abort abort);

        /** A restore record, with the verdict every node reaches on it. */
        void restore(ControlHistory.RestoreVerdict verdict);

        /** The control topic has been read further: epochs it promised or ruled out may be decided now. */
        void advanced();
    }

    private static final Logger log = LoggerFactory.getLogger(ControlDispatcher.class);
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private final String processId;
    private final Set<String> incoming;
    private final ControlHistory history = new ControlHistory();
    private final Actions actions;
    private long nextOffset;

    ControlDispatcher(String processId, Set<String> incoming, Actions actions) {
        this.processId = processId;
        this.incoming = incoming;
        this.actions = actions;
    }

    /** A record before the point this node acts from: it only builds the history. */
    void catchUp(long offset, long timestamp, byte[] value) {
        parse(offset, value).ifPresent(record -> history.accept(offset, timestamp, record));
        nextOffset = offset + 1;
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
        if (parsed.isPresent()) {
            ControlRecord record = parsed.get();
            Optional<Membership.SnapshotStart> start = history.accept(offset, timestamp, record);
            if (start.isPresent()) {
                Map<String, ControlRecord.Join> members = start.get().members();
                if (!members.containsKey(processId)) {
                    actions.notAMember(offset);
                } else {
                    actions.trigger(offset, start.get().initiator(), awaited(members), timestamp);
                }
            } else if (record instanceof ControlRecord.Abort abort) {
                actions.aborted(abort);
            } else if (record instanceof ControlRecord.Restore) {
                actions.restore(history.restoreAt(offset).orElseThrow());
            }
        }
        actions.advanced();
    }

    /** The next control offset not yet taken: stored with each step, so a restart acts from there. */
    long nextOffset() {
        return nextOffset;
    }

    ControlHistory history() {
        return history;
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
            if (SAID.add(offset + "/" + e.getMessage())) {
                log.warn("{}: skipped control record at offset {}: {} (said once per process)", processId, offset,
                        e.getMessage());
            } else {
                log.debug("{}: skipped control record at offset {}: {}", processId, offset, e.getMessage());
            }
            return Optional.empty();
        }
    }
}
