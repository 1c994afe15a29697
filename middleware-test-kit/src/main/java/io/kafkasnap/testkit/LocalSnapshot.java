package io.kafkasnap.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's part of a snapshot as {@link HandlerTestDriver#snapshot()} captured it: the state at the instant it
 * recorded, and the messages it recorded as in flight on each incoming channel (those that arrived after it recorded
 * its state and before the upstream marker). {@link HandlerTestDriver#restore(LocalSnapshot)} puts it back. A test
 * may also build one by hand, to restore a state it writes down.
 *
 * @param snapshot the snapshot id: the offset of its trigger on the driver's control log
 * @param state    every state entry at the capture, in key order
 * @param recorded each incoming channel's recorded messages, in order; channels without any may be absent
 */
public record LocalSnapshot(long snapshot, Map<String, byte[]> state, Map<String, List<TestRecord>> recorded) {

    public LocalSnapshot {
        TreeMap<String, byte[]> s = new TreeMap<>();
        state.forEach((k, v) -> s.put(k, v.clone()));
        state = Collections.unmodifiableMap(s);
        TreeMap<String, List<TestRecord>> r = new TreeMap<>();
        recorded.forEach((channel, messages) -> r.put(channel, List.copyOf(messages)));
        recorded = Collections.unmodifiableMap(r);
    }

    /** A hand-made snapshot of {@code state} with no recorded messages; its id is chosen when it is restored. */
    public static LocalSnapshot ofState(Map<String, byte[]> state) {
        return new LocalSnapshot(-1, state, Map.of());
    }

    /** A hand-made snapshot of {@code state} (UTF-8 values) with no recorded messages. */
    public static LocalSnapshot ofStrings(Map<String, String> state) {
        Map<String, byte[]> bytes = new TreeMap<>();
        state.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return ofState(bytes);
    }

    /** The state entry as UTF-8 text, or null if the snapshot has none under {@code key}. */
    public String stateAsString(String key) {
        byte[] value = state.get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The state entry as a long (decimal text), or null if the snapshot has none under {@code key}. */
    public Long stateAsLong(String key) {
        String text = stateAsString(key);
        return text == null ? null : Long.parseLong(text);
    }

    /** The state as UTF-8 text, in key order. */
    public Map<String, String> stateAsStrings() {
        Map<String, String> strings = new TreeMap<>();
        state.forEach((k, v) -> strings.put(k, new String(v, StandardCharsets.UTF_8)));
        return strings;
    }

    /** The messages recorded as in flight on {@code channel}, in order. */
    public List<TestRecord> recorded(String channel) {
        return recorded.getOrDefault(channel, List.of());
    }

    /** Every recorded message, channel by channel in name order. */
    public List<TestRecord> allRecorded() {
        List<TestRecord> all = new ArrayList<>();
        recorded.values().forEach(all::addAll);
        return all;
    }
}
