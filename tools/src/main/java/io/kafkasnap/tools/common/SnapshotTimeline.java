package io.kafkasnap.tools.common;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The members' timelines of one assembled snapshot ({@code processes.<p>.timeline}), in milliseconds after the trigger
 * record's timestamp ({@code triggeredAt}). Read from the JSON alone, like {@link SnapshotView}. A snapshot whose
 * fragments came from nodes that wrote no timeline has none.
 *
 * @param members member → its timeline, in member order
 * @param fragmentsIn {@code completedAt - triggeredAt}: the last fragment record's timestamp
 */
public record SnapshotTimeline(long snapshot, Map<String, Member> members, long fragmentsIn) {

    /** The points of a member's timeline, in the order they are reached, with the names the JSON uses. */
    public static final List<String> POINTS = List.of("triggerSeen", "captured", "markersAcked", "lastMarkerIn",
            "stateReadOut", "published");

    /** The phases of {@link #phases}, in order; together they make up trigger → assembled and checked. */
    public static final List<String> PHASES = List.of("trigger -> seen", "seen -> captured",
            "captured -> markers done", "markers done -> read out", "read out -> published",
            "published -> fragments in", "fragments in -> assembled+checked");

    /**
     * @param startedBy {@code trigger} or {@code marker}
     * @param points    point name → ms after the trigger, in {@link #POINTS} order
     */
    public record Member(String startedBy, Map<String, Long> points) {
        public long at(String point) {
            return points.get(point);
        }

        /** Every marker in and acknowledged: the later of the two waits. */
        public long markersDone() {
            return Math.max(at("markersAcked"), at("lastMarkerIn"));
        }
    }

    /** The timelines of {@code view}, empty when a member has none (or the snapshot has no member fragments). */
    public static Optional<SnapshotTimeline> of(SnapshotView view) {
        JsonNode json = view.json();
        if (!json.path("triggeredAt").isNumber() || !json.path("completedAt").isNumber()) {
            return Optional.empty();
        }
        long trigger = json.path("triggeredAt").asLong();
        Map<String, Member> members = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> process : json.path("processes").properties()) {
            JsonNode timeline = process.getValue().path("timeline");
            if (!timeline.isObject()) {
                return Optional.empty();
            }
            Map<String, Long> points = new LinkedHashMap<>();
            for (String point : POINTS) {
                if (!timeline.path(point).isIntegralNumber()) {
                    return Optional.empty();
                }
                points.put(point, timeline.path(point).asLong() - trigger);
            }
            members.put(process.getKey(), new Member(timeline.path("startedBy").asText("?"), points));
        }
        return members.isEmpty() ? Optional.empty()
                : Optional.of(new SnapshotTimeline(view.id(), members, json.path("completedAt").asLong() - trigger));
    }

    /** When the last member reached {@code point}, in ms after the trigger. */
    public long last(String point) {
        return members.values().stream().mapToLong(m -> m.at(point)).max().orElseThrow();
    }

    private long lastMarkersDone() {
        return members.values().stream().mapToLong(Member::markersDone).max().orElseThrow();
    }

    /**
     * Where the time from the trigger to the checked snapshot went, phase by phase, each from the moment the last
     * member reached one point to the moment the last reached the next (so they add up to the whole). The snapshot is
     * only as quick as its slowest member at each point.
     *
     * @param assembledChecked ms from the trigger to the assembled and checked snapshot read by the caller; when
     *                         absent the last phase is left out
     */
    public Map<String, Long> phases(OptionalLong assembledChecked) {
        Map<String, Long> phases = new LinkedHashMap<>();
        phases.put(PHASES.get(0), last("triggerSeen"));
        phases.put(PHASES.get(1), last("captured") - last("triggerSeen"));
        phases.put(PHASES.get(2), lastMarkersDone() - last("captured"));
        phases.put(PHASES.get(3), last("stateReadOut") - lastMarkersDone());
        phases.put(PHASES.get(4), last("published") - last("stateReadOut"));
        phases.put(PHASES.get(5), fragmentsIn - last("published"));
        if (assembledChecked.isPresent()) {
            phases.put(PHASES.get(6), assembledChecked.getAsLong() - fragmentsIn);
        }
        return phases;
    }

    /**
     * One line per member for people:
     * {@code bank-0  by trigger  seen +2  captured +3  acked +8  last in +9  read out +10  published +10}.
     */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        int width = members.keySet().stream().mapToInt(String::length).max().orElse(1);
        members.forEach((name, member) -> lines.add(String.format(
                "%-" + width + "s  by %-7s  seen %s  captured %s  acked %s  last in %s  read out %s  published %s",
                name, member.startedBy(), ms(member.at("triggerSeen")), ms(member.at("captured")),
                ms(member.at("markersAcked")), ms(member.at("lastMarkerIn")), ms(member.at("stateReadOut")),
                ms(member.at("published")))));
        return lines;
    }

    private static String ms(long millis) {
        return (millis >= 0 ? "+" : "") + millis;
    }
}
