package io.kafkasnap.format;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A record of the control topic (see DESIGN.md, "The control topic is the spine"): join, leave, snapshot trigger,
 * abort, restore or restored. All are JSON objects with {@code "v":1} and a {@code "type"}.
 *
 * <p>Unknown extra fields are ignored so that a v1 reader accepts v1 records that gained optional fields; anything
 * that changes meaning must bump {@code "v"}, which this reader rejects.
 */
public sealed interface ControlRecord
        permits ControlRecord.Join, ControlRecord.Leave, ControlRecord.Trigger, ControlRecord.Abort,
        ControlRecord.Restore, ControlRecord.Restored {

    /** The only wire version this code reads and writes. */
    int VERSION = 1;

    /** {@code {"v":1,"type":"join","process":"bank-0","in":["bank.1.0"],"out":["bank.0.1"]}}. */
    record Join(String process, List<String> in, List<String> out) implements ControlRecord {
        public Join {
            requireProcess(process);
            in = List.copyOf(in);
            out = List.copyOf(out);
        }
    }

    /** {@code {"v":1,"type":"leave","process":"bank-0"}}. */
    record Leave(String process) implements ControlRecord {
        public Leave {
            requireProcess(process);
        }
    }

    /**
     * {@code {"v":1,"type":"snapshot"}} or {@code {"v":1,"type":"snapshot","initiator":"bank-0"}}; the snapshot id
     * is the offset of this record in the control topic.
     */
    record Trigger(Optional<String> initiator) implements ControlRecord {
        public Trigger {
            Objects.requireNonNull(initiator, "initiator");
            initiator.ifPresent(ControlRecord::requireProcess);
        }

        public static Trigger anyMember() {
            return new Trigger(Optional.empty());
        }
    }

    /**
     * {@code {"v":1,"type":"abort","snapshot":42,"process":"bank-0","reason":"timed-out","detail":"..."}}: a member
     * gives snapshot 42 up; every member frees what it holds for it.
     *
     * @param reason the wire name of the reason (see {@code AbortReason} in the protocol package); kept as text so
     *     that a reader of an older version still reads a newer reason
     */
    record Abort(long snapshot, String process, String reason, String detail) implements ControlRecord {
        public Abort {
            if (snapshot < 0) {
                throw new IllegalArgumentException("snapshot must be >= 0, was " + snapshot);
            }
            requireProcess(process);
            if (reason == null || reason.isEmpty()) {
                throw new IllegalArgumentException("reason must be a non-empty string");
            }
            detail = detail == null ? "" : detail;
        }
    }

    /**
     * {@code {"v":1,"type":"restore","snapshot":42}}: roll every member back to snapshot 42; the offset of this record
     * is the new epoch. With {@code "allowNewMembers":true}, a running node that is not a member of 42 starts the new
     * epoch from its initial state instead of refusing.
     *
     * @param fragments where each member's fragment of the snapshot begins: the offset of its first chunk on the
     *                  collection topic, as the writer found it ({@code "fragments":{"bank-0":1234}}). A hint only, so a
     *                  node reads its snapshot without scanning the topic; it has no part in whether the restore
     *                  counts, and a reader checks the record at each offset before using it. Empty when the writer
     *                  gave none (a record written by hand or by an older version).
     */
    record Restore(long snapshot, boolean allowNewMembers, Map<String, Long> fragments) implements ControlRecord {
        public Restore {
            if (snapshot < 0) {
                throw new IllegalArgumentException("snapshot must be >= 0, was " + snapshot);
            }
            Objects.requireNonNull(fragments, "fragments");
            fragments.forEach((process, offset) -> {
                requireProcess(process);
                if (offset == null || offset < 0) {
                    throw new IllegalArgumentException("fragment offset of " + process + " must be >= 0, was "
                            + offset);
                }
            });
            fragments = Collections.unmodifiableSortedMap(new TreeMap<>(fragments));
        }

        public Restore(long snapshot, boolean allowNewMembers) {
            this(snapshot, allowNewMembers, Map.of());
        }

        public Restore(long snapshot) {
            this(snapshot, false);
        }
    }

    /**
     * {@code {"v":1,"type":"restored","process":"bank-0","epoch":812,"snapshot":42}}: a member has its state of the
     * snapshot in place and runs in the epoch of the restore record at offset {@code epoch}.
     */
    record Restored(String process, long epoch, long snapshot) implements ControlRecord {
        public Restored {
            requireProcess(process);
            if (epoch < 0 || snapshot < 0) {
                throw new IllegalArgumentException("epoch and snapshot must be >= 0, were " + epoch + ", " + snapshot);
            }
        }
    }

    /** The wire name of this record's {@code "type"}. */
    default String type() {
        if (this instanceof Join) {
            return "join";
        } else if (this instanceof Leave) {
            return "leave";
        } else if (this instanceof Trigger) {
            return "snapshot";
        } else if (this instanceof Abort) {
            return "abort";
        } else if (this instanceof Restored) {
            return "restored";
        }
        return "restore";
    }

    /** Compact UTF-8 JSON, fields in the order the design shows them. */
    default byte[] toJson() {
        return ControlRecordJson.write(this);
    }

    /**
     * Parses one control record.
     *
     * @throws MalformedControlRecordException naming what is wrong: not JSON, not an object, missing or unknown
     *     "type", unsupported "v", missing or mistyped field
     */
    static ControlRecord parse(byte[] json) throws MalformedControlRecordException {
        return ControlRecordJson.parse(json);
    }

    private static void requireProcess(String process) {
        if (process == null || process.isEmpty()) {
            throw new IllegalArgumentException("process id must be a non-empty string");
        }
    }
}
