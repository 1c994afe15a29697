package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.Timeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A global snapshot as assembled from the fragments of its members (DESIGN.md, "Assembled global snapshot"),
 * readable without the application's classes. Maps iterate in key order; {@code members} is sorted.
 *
 * @param reason why a snapshot is not complete, as a code ({@code restarted-during-snapshot}, {@code timed-out},
 *     {@code no-members}, ...); null for a complete one
 * @param detail the same for people: which member, which channels or fragments; empty for a complete one
 * @param triggeredAt timestamp of the trigger record, epoch millis
 * @param completedAt when assembly ended, epoch millis: the timestamp of the last fragment record for a complete or
 *     incomplete snapshot, {@code triggeredAt + timeout} for a timed-out one
 * @param processes member → its recorded state; only members whose fragment was usable
 * @param channels channel topic → what its receiver recorded on it
 */
public record GlobalSnapshot(int v, long snapshot, Status status, String reason, String detail, long triggeredAt,
                             long completedAt,
                             List<String> members, Map<String, ProcessState> processes,
                             Map<String, ChannelState> channels, Consistency consistency) {

    public static final int VERSION = 1;

    public GlobalSnapshot {
        if (v != VERSION) {
            throw new IllegalArgumentException("unsupported snapshot version " + v + " (this code knows " + VERSION + ")");
        }
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
        Objects.requireNonNull(consistency, "consistency");
        members = members.stream().sorted().collect(Collectors.toUnmodifiableList());
        processes = Collections.unmodifiableSortedMap(new TreeMap<>(processes));
        channels = Collections.unmodifiableSortedMap(new TreeMap<>(channels));
    }

    /** A snapshot without a reason or detail: complete, or in progress. */
    public GlobalSnapshot(int v, long snapshot, Status status, long triggeredAt, long completedAt,
                          List<String> members, Map<String, ProcessState> processes,
                          Map<String, ChannelState> channels, Consistency consistency) {
        this(v, snapshot, status, null, "", triggeredAt, completedAt, members, processes, channels, consistency);
    }

    /** How assembly ended (DESIGN.md, "Status of a snapshot"). */
    public enum Status {
        /** Every member's fragment arrived intact, and rules 1–3 hold where they could be checked. */
        COMPLETE("complete"),
        /** Every member's fragment arrived intact, but a rule is violated: a bug, shown with the violations. */
        INCONSISTENT("inconsistent"),
        /** A member aborted it (the reason and the member are given), or it could never complete (no members). */
        FAILED("failed"),
        /** Every member's fragment arrived, but at least one was unusable (corrupt, missing chunks, not a fragment). */
        INCOMPLETE("incomplete"),
        /** Not every member's fragment arrived before the timeout; the members still missing are named. */
        TIMED_OUT("timed-out"),
        /**
         * Its fragments were deleted from the collection topic ({@code snapshots prune}, or the topic's retention):
         * the trigger is still on the control topic, the states are gone, and it cannot be restored.
         */
        PRUNED("pruned"),
        /** Still being taken: not every member's fragment has arrived yet. */
        IN_PROGRESS("in-progress");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        /** The JSON spelling, as in DESIGN.md. */
        public String wire() {
            return wire;
        }

        public static Status fromWire(String text) {
            for (Status status : values()) {
                if (status.wire.equals(text)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("unknown status \"" + text + "\" (expected one of complete, inconsistent,"
                    + " failed, incomplete, timed-out, pruned, in-progress)");
        }
    }

    /**
     * One member's recorded local state.
     *
     * @param timeline when the member went through the steps of its part, from its fragment; null when its fragment
     *     carried none (written before timelines)
     */
    public record ProcessState(Map<String, JsonNode> state, long recordedAt, Timeline timeline) {
        public ProcessState {
            state = Collections.unmodifiableSortedMap(new TreeMap<>(state));
        }

        public ProcessState(Map<String, JsonNode> state, long recordedAt) {
            this(state, recordedAt, null);
        }

        public Optional<Timeline> timelineIfAny() {
            return Optional.ofNullable(timeline);
        }
    }

    /**
     * A channel's recorded state.
     *
     * @param from the sending member, or null if no member declared this topic as an outgoing channel
     * @param to the receiving member, whose fragment recorded it
     */
    public record ChannelState(String from, String to, long recordedFrom, long markerOffset,
                               List<Fragment.Message> messages) {
        public ChannelState {
            Objects.requireNonNull(to, "to");
            messages = List.copyOf(messages);
        }
    }

    /** Result of checking rules 1–3; {@code checked} is false when some channel could not be read to check it. */
    public record Consistency(boolean checked, List<Violation> violations) {
        public Consistency {
            violations = List.copyOf(violations);
        }
    }

    /** Whether every member's fragment arrived intact and no rule is violated: a snapshot to restore from. */
    public boolean isComplete() {
        return status == Status.COMPLETE;
    }

    /** Whether the check ran on every channel and found nothing wrong. */
    public boolean isConsistent() {
        return consistency.checked() && consistency.violations().isEmpty();
    }

    /** The number of in-flight messages recorded over all channels. */
    public int inFlightMessageCount() {
        return channels.values().stream().mapToInt(c -> c.messages().size()).sum();
    }

    /** Members without a usable fragment in this snapshot. */
    public List<String> missingMembers() {
        return members.stream().filter(m -> !processes.containsKey(m)).collect(Collectors.toUnmodifiableList());
    }

    public Optional<ProcessState> process(String member) {
        return Optional.ofNullable(processes.get(member));
    }

    public Optional<ChannelState> channel(String topic) {
        return Optional.ofNullable(channels.get(topic));
    }

    /** The JSON document, UTF-8 text; {@code pretty} indents it for people. */
    public String toJson(boolean pretty) {
        return GlobalSnapshotJson.write(this, pretty);
    }

    /**
     * Reads an assembled snapshot document.
     *
     * @throws MalformedDocumentException naming what is wrong
     */
    public static GlobalSnapshot fromJson(byte[] json) {
        return GlobalSnapshotJson.read(json);
    }

    public static GlobalSnapshot fromJson(String json) {
        return fromJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
