package io.kafkasnap.format;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is a member of which snapshot, from the control topic read in offset order. The members of snapshot S are the
 * processes whose latest join is at an offset below S and that have not left since; a process that leaves and joins
 * again is a member anew, with the channels of its latest join.
 *
 * <p>Not thread-safe: one consumer thread feeds it.
 */
public final class Membership {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    /**
     * A snapshot started by a trigger record.
     *
     * @param snapshot the trigger's offset, which is the snapshot id
     * @param triggeredAt the trigger's timestamp, epoch millis
     * @param members each member's latest join record, by process id
     */
    public record SnapshotStart(long snapshot, long triggeredAt, Optional<String> initiator,
                                Map<String, ControlRecord.Join> members) {
        public SnapshotStart {
            members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
        }

        /** Whether the trigger named an initiator that is not a member: then no process will ever record it. */
        public boolean initiatorIsNotAMember() {
            return initiator.isPresent() && !members.containsKey(initiator.get());
        }
    }

    private final Map<String, ControlRecord.Join> current = new TreeMap<>();
    private long nextOffset;

    /**
     * Takes the control record at {@code offset}. Malformed records are logged once with their offset and reason and
     * skipped.
     *
     * @return the snapshot it starts, if it is a trigger
     */
    public Optional<SnapshotStart> accept(long offset, long timestamp, byte[] value) {
        ControlRecord record;
        try {
            record = ControlRecord.parse(value);
        } catch (MalformedControlRecordException e) {
            LOG.warn("skipping malformed control record at offset {}: {}", offset, e.getMessage());
            nextOffset = Math.max(nextOffset, offset + 1);
            return Optional.empty();
        }
        return accept(offset, timestamp, record);
    }

    /** Takes an already parsed control record at {@code offset}. */
    public Optional<SnapshotStart> accept(long offset, long timestamp, ControlRecord record) {
        if (offset < nextOffset) {
            // A re-delivered record (e.g. after a seek) must not be applied twice: a trigger would start a snapshot again.
            LOG.debug("ignoring control record at offset {}, already at {}", offset, nextOffset);
            return Optional.empty();
        }
        nextOffset = offset + 1;
        if (record instanceof ControlRecord.Join join) {
            current.put(join.process(), join);
        } else if (record instanceof ControlRecord.Leave leave) {
            if (current.remove(leave.process()) == null) {
                LOG.info("control record at offset {}: {} left without being a member", offset, leave.process());
            }
        } else if (record instanceof ControlRecord.Trigger trigger) {
            return Optional.of(new SnapshotStart(offset, timestamp, trigger.initiator(), current));
        }
        // Restore changes no membership; nodes act on it, the collector does not.
        return Optional.empty();
    }

    /** The current members and their latest join records. */
    public Map<String, ControlRecord.Join> members() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(current));
    }

    /** The offset after the last control record taken. */
    public long nextOffset() {
        return nextOffset;
    }
}
