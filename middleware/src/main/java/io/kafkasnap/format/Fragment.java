package io.kafkasnap.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One process's part of snapshot {@code snapshot}, exactly as published on the collection topic (DESIGN.md,
 * "Fragment"). Maps iterate in key order so the JSON is the same for the same content.
 *
 * <p>JSON values ({@link JsonNode}) are not copied; treat them as immutable.
 *
 * @param v wire version, always {@link #VERSION}
 * @param recordedAt epoch millis at which the process recorded its local state
 * @param state the process's key-value state; values in {@link ValueCodec} form
 * @param in incoming channel topic → what was recorded on it
 * @param out outgoing channel topic → where this snapshot's marker went
 * @param timeline when the process went through the steps of its part; null in fragments written before timelines
 * @param base for an incremental fragment ({@link #INCREMENTAL_VERSION}), the same process's fragment published
 *     before it (of another snapshot, which may have a higher id: snapshots can finish in any order) whose state
 *     {@code state} and {@code removed} change; null for a full one
 * @param removed for an incremental fragment, the keys of the base's state that are gone (kept in key order); empty
 *     for a full one
 */
public record Fragment(int v, long snapshot, String process, long recordedAt, Map<String, JsonNode> state,
                       Map<String, InChannel> in, Map<String, OutChannel> out, Timeline timeline, Base base,
                       List<String> removed) {

    /** A full fragment: {@code state} is the whole state. */
    public static final int VERSION = 1;
    /** An incremental fragment: {@code state} holds only the keys changed since {@code base}. */
    public static final int INCREMENTAL_VERSION = 2;

    public Fragment {
        if (v != VERSION && v != INCREMENTAL_VERSION) {
            throw new IllegalArgumentException("unsupported fragment version " + v + " (this code knows " + VERSION
                    + " and " + INCREMENTAL_VERSION + ")");
        }
        if (process == null || process.isEmpty()) {
            throw new IllegalArgumentException("process must be a non-empty string");
        }
        state = sorted(state, "state");
        in = sorted(in, "in");
        out = sorted(out, "out");
        removed = removed == null ? List.of() : List.copyOf(removed);
        if (v == VERSION && (base != null || !removed.isEmpty())) {
            throw new IllegalArgumentException("a full fragment (v " + VERSION + ") has no base and removes nothing");
        }
        if (v == INCREMENTAL_VERSION) {
            if (base == null) {
                throw new IllegalArgumentException("an incremental fragment (v " + INCREMENTAL_VERSION
                        + ") needs a base");
            }
            if (base.snapshot() == snapshot) {
                throw new IllegalArgumentException("the base of snapshot " + snapshot + "'s fragment must be another"
                        + " snapshot's");
            }
            java.util.SortedSet<String> unique = new java.util.TreeSet<>(removed);
            if (unique.size() != removed.size()) {
                throw new IllegalArgumentException("a removed key is named twice: " + removed);
            }
            for (String key : unique) {
                if (state.containsKey(key)) {
                    throw new IllegalArgumentException("key " + key + " is both changed and removed");
                }
            }
            removed = List.copyOf(unique);
        }
    }

    public Fragment(int v, long snapshot, String process, long recordedAt, Map<String, JsonNode> state,
                    Map<String, InChannel> in, Map<String, OutChannel> out, Timeline timeline) {
        this(v, snapshot, process, recordedAt, state, in, out, timeline, null, List.of());
    }

    public Fragment(int v, long snapshot, String process, long recordedAt, Map<String, JsonNode> state,
                    Map<String, InChannel> in, Map<String, OutChannel> out) {
        this(v, snapshot, process, recordedAt, state, in, out, null);
    }

    public Fragment(long snapshot, String process, long recordedAt, Map<String, JsonNode> state,
                    Map<String, InChannel> in, Map<String, OutChannel> out) {
        this(VERSION, snapshot, process, recordedAt, state, in, out, null);
    }

    /** An incremental fragment: {@code changed} are the keys new or changed since {@code base}. */
    public static Fragment incremental(long snapshot, String process, long recordedAt, Base base,
                                       Map<String, JsonNode> changed, List<String> removed,
                                       Map<String, InChannel> in, Map<String, OutChannel> out) {
        return new Fragment(INCREMENTAL_VERSION, snapshot, process, recordedAt, changed, in, out, null, base, removed);
    }

    /** The same fragment with {@code timeline}. */
    public Fragment withTimeline(Timeline timeline) {
        return new Fragment(v, snapshot, process, recordedAt, state, in, out, timeline, base, removed);
    }

    /** Whether {@code state} holds only what changed since {@link #base}. */
    public boolean isIncremental() {
        return base != null;
    }

    /**
     * The full fragment this incremental one stands for, given its base's whole state.
     *
     * @throws IllegalStateException if this fragment is full already
     */
    public Fragment onto(Map<String, JsonNode> baseState) {
        if (base == null) {
            throw new IllegalStateException("fragment " + key() + " is full already");
        }
        Map<String, JsonNode> whole = new TreeMap<>(baseState);
        removed.forEach(whole::remove);
        whole.putAll(state);
        return new Fragment(VERSION, snapshot, process, recordedAt, whole, in, out, timeline);
    }

    /** The record key of this fragment's chunks on the collection topic: {@code <snapshot>/<process>}. */
    public FragmentKey key() {
        return new FragmentKey(snapshot, process);
    }

    /** Compact UTF-8 JSON in the design's field order. */
    public byte[] toJson() {
        return FragmentJson.write(this);
    }

    /**
     * Reads a fragment.
     *
     * @throws MalformedDocumentException naming what is wrong
     */
    public static Fragment fromJson(byte[] json) {
        return FragmentJson.read(json);
    }

    /**
     * What the receiver recorded on one incoming channel.
     *
     * @param recordedFrom the first offset of the channel the process had not processed when it recorded its state
     * @param markerOffset the offset at which this snapshot's marker arrived
     * @param messages the app records recorded in between, in offset order
     * @param appliedEpoch the epoch of the last record the process had applied from the channel when it recorded
     *     its state, -1 if none: with {@code appliedSeq}, where the check starts telling re-sends from new records
     * @param appliedSeq that record's sequence number, -1 if none
     */
    public record InChannel(long recordedFrom, long markerOffset, List<Message> messages, long appliedEpoch,
                            long appliedSeq) {
        public InChannel {
            messages = List.copyOf(messages);
        }

        /** A recording without sequence bookkeeping (channels fed by plain producers, older fragments). */
        public InChannel(long recordedFrom, long markerOffset, List<Message> messages) {
            this(recordedFrom, markerOffset, messages, -1, -1);
        }
    }

    /**
     * Where the state an incremental fragment changes is: the same process's fragment of an earlier snapshot.
     *
     * @param snapshot   the base fragment's snapshot
     * @param offset     where the base fragment begins on the collection topic (the offset of its first chunk)
     * @param fullOffset where the full fragment that the chain of bases ends at begins; no fragment of the chain lies
     *                   before it, so a prune keeps the records from there on
     */
    public record Base(long snapshot, long offset, long fullOffset) {
        public Base {
            if (snapshot < 0 || offset < 0 || fullOffset < 0 || fullOffset > offset) {
                throw new IllegalArgumentException("base must have snapshot, offset >= fullOffset >= 0, got "
                        + snapshot + ", " + offset + ", " + fullOffset);
            }
        }
    }

    /** @param markerOffset the offset of this snapshot's marker in the outgoing channel */
    public record OutChannel(long markerOffset) {
    }

    /**
     * A recorded channel record as it arrived; key and value in {@link ValueCodec} form, JSON null when absent;
     * header values as text, or base64 when not UTF-8 ({@link ValueCodec#headerToJson}).
     *
     * @param headers by name, in arrival order; empty when the record had none
     * @param timestamp the record's timestamp, epoch millis; -1 when not known
     */
    public record Message(long offset, JsonNode key, JsonNode value, Map<String, JsonNode> headers, long timestamp) {
        public Message {
            key = key == null ? NullNode.getInstance() : key;
            value = value == null ? NullNode.getInstance() : value;
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }

        public Message(long offset, JsonNode key, JsonNode value) {
            this(offset, key, value, Map.of(), -1);
        }

        /** A message from the raw bytes of a channel record. */
        public static Message of(long offset, byte[] key, byte[] value) {
            return new Message(offset, ValueCodec.toJson(key), ValueCodec.toJson(value));
        }

        /** A message from a channel record with its headers (name, bytes) and timestamp. */
        public static Message of(long offset, byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers,
                                 long timestamp) {
            Map<String, JsonNode> json = new java.util.LinkedHashMap<>();
            headers.forEach(h -> json.put(h.getKey(), ValueCodec.headerToJson(h.getValue())));
            return new Message(offset, ValueCodec.toJson(key), ValueCodec.toJson(value), json, timestamp);
        }

        /** The headers as bytes, in order. */
        public List<Map.Entry<String, byte[]>> headerBytes() {
            List<Map.Entry<String, byte[]>> result = new java.util.ArrayList<>();
            headers.forEach((name, v) -> result.add(new java.util.AbstractMap.SimpleImmutableEntry<>(name,
                    ValueCodec.headerFromJson(v))));
            return result;
        }

        public byte[] keyBytes() {
            return ValueCodec.fromJson(key);
        }

        public byte[] valueBytes() {
            return ValueCodec.fromJson(value);
        }
    }

    private static <V> Map<String, V> sorted(Map<String, V> map, String name) {
        Objects.requireNonNull(map, name);
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
