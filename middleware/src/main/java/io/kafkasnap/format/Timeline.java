package io.kafkasnap.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When one member went through the steps of its part of a snapshot, wall-clock epoch millis of the node's clock
 * (README, "Fragment"). Written at the end of the fragment, so the last two points can be stamped while it is written;
 * optional on read, as fragments written before it have none.
 *
 * @param startedBy    what started the node's recording: {@link #TRIGGER} (it read the trigger first) or
 *                     {@link #MARKER} (a marker on an incoming channel came first)
 * @param triggerSeen  when the node acted on that trigger or marker
 * @param captured     when its state was captured (the step committed and the store snapshot taken)
 * @param markersAcked when the last of its outgoing markers was acknowledged; {@code captured} if it has none
 * @param lastMarkerIn when the last marker from a member sender arrived; {@code captured} if it waits for none
 * @param stateReadOut when the state had been read out of the store snapshot and written into the fragment
 * @param published    when the fragment was handed to the fragment producer (for a fragment of several chunks: when
 *                     its bytes were complete, just before the chunks are sent); the records' broker timestamps tell
 *                     the rest
 */
public record Timeline(String startedBy, long triggerSeen, long captured, long markersAcked, long lastMarkerIn,
                       long stateReadOut, long published) {

    public static final String TRIGGER = "trigger";
    public static final String MARKER = "marker";

    /** The points in the order they are written, with the names the JSON uses. */
    public static final String[] POINTS = {"triggerSeen", "captured", "markersAcked", "lastMarkerIn", "stateReadOut",
        "published"};

    public Timeline {
        if (!TRIGGER.equals(startedBy) && !MARKER.equals(startedBy)) {
            throw new IllegalArgumentException("startedBy must be \"trigger\" or \"marker\", got \"" + startedBy + "\"");
        }
    }

    /**
     * The points the event loop reaches, up to the fragment being complete; the fragment publisher adds the rest.
     */
    public record OnLoop(String startedBy, long triggerSeen, long captured, long markersAcked, long lastMarkerIn) {
        public Timeline then(long stateReadOut, long published) {
            return new Timeline(startedBy, triggerSeen, captured, markersAcked, lastMarkerIn, stateReadOut, published);
        }
    }

    /** The points by name, in {@link #POINTS} order. */
    public Map<String, Long> points() {
        Map<String, Long> points = new LinkedHashMap<>();
        points.put("triggerSeen", triggerSeen);
        points.put("captured", captured);
        points.put("markersAcked", markersAcked);
        points.put("lastMarkerIn", lastMarkerIn);
        points.put("stateReadOut", stateReadOut);
        points.put("published", published);
        return points;
    }

    /**
     * Whether every point is at or after the one it follows: seen, captured, then both waits (markers acknowledged,
     * last marker in, which overlap), then read out and published. Holds unless the node's wall clock stepped back.
     */
    public boolean isOrdered() {
        return triggerSeen <= captured && captured <= markersAcked && captured <= lastMarkerIn
                && Math.max(markersAcked, lastMarkerIn) <= stateReadOut && stateReadOut <= published;
    }

    /** The point at which this member had every marker in and acknowledged: its part waited for nothing else. */
    public long markersDone() {
        return Math.max(markersAcked, lastMarkerIn);
    }

    void write(ObjectNode parent) {
        ObjectNode node = parent.putObject("timeline");
        node.put("startedBy", startedBy);
        points().forEach(node::put);
    }

    void write(JsonGenerator json) throws IOException {
        json.writeObjectFieldStart("timeline");
        json.writeStringField("startedBy", startedBy);
        for (Map.Entry<String, Long> point : points().entrySet()) {
            json.writeNumberField(point.getKey(), point.getValue());
        }
        json.writeEndObject();
    }

    /** Reads {@code "timeline"} of {@code parent}; null when it has none (a fragment from before timelines). */
    public static Timeline read(Fields parent) {
        if (!parent.has("timeline")) {
            return null;
        }
        Fields node = parent.object("timeline");
        String startedBy = node.text("startedBy");
        if (!TRIGGER.equals(startedBy) && !MARKER.equals(startedBy)) {
            throw node.problem("\"startedBy\" must be \"trigger\" or \"marker\", got \"" + startedBy + "\"");
        }
        return new Timeline(startedBy, node.nonNegative("triggerSeen"), node.nonNegative("captured"),
                node.nonNegative("markersAcked"), node.nonNegative("lastMarkerIn"), node.nonNegative("stateReadOut"),
                node.nonNegative("published"));
    }

    /** Writes {@code timeline} into {@code parent}, if there is one. */
    public static void writeTo(ObjectNode parent, Timeline timeline) {
        if (timeline != null) {
            timeline.write(parent);
        }
    }
}
