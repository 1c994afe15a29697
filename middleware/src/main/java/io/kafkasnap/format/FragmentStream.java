package io.kafkasnap.format;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Writes a fragment's JSON straight from where its parts live, so a node never holds its whole state in memory:
 * the state's entries are read one at a time (from a RocksDB snapshot, at a node) and written as they come. The
 * bytes are those {@link Fragment#toJson()} gives for the same content, provided the entries come in the order of
 * their keys as Java strings (RocksDB's byte order is the same for keys without characters beyond U+FFFF).
 */
public final class FragmentStream {

    /** The state's entries, key and raw value, in key order; asked for once per pass over the fragment. */
    @FunctionalInterface
    public interface StateEntries {
        void forEach(BiConsumer<String, byte[]> entry);
    }

    /**
     * What changed in the state since an incremental fragment's base, in key order, asked for once per pass: new or
     * changed entries and removed keys, interleaved as they come.
     */
    @FunctionalInterface
    public interface StateChanges {
        void forEach(BiConsumer<String, byte[]> changed, java.util.function.Consumer<String> removed);
    }

    /**
     * The fragment's {@link Timeline}, stamped as it is written: {@link #stateWritten} once the state's entries are
     * written, {@link #timeline} at the end. Called on each pass; must give the same answer on each.
     */
    public interface Stamps {
        void stateWritten();

        /** The timeline that ends the fragment; null for none. */
        Timeline timeline();
    }

    private FragmentStream() {
    }

    /**
     * Writes the fragment to {@code out}; values are put in {@link ValueCodec} form on the way. Does not close
     * {@code out}.
     */
    public static void write(OutputStream out, long snapshot, String process, long recordedAt, StateEntries state,
                             Map<String, Fragment.InChannel> in, Map<String, Fragment.OutChannel> outgoing)
            throws IOException {
        write(out, snapshot, process, recordedAt, state, in, outgoing, null);
    }

    /**
     * Writes the fragment to {@code out}, ending it with the timeline {@code stamps} gives (none when null). Does not
     * close {@code out}.
     */
    public static void write(OutputStream out, long snapshot, String process, long recordedAt, StateEntries state,
                             Map<String, Fragment.InChannel> in, Map<String, Fragment.OutChannel> outgoing,
                             Stamps stamps) throws IOException {
        write(out, snapshot, process, recordedAt, null, (changed, removed) -> state.forEach(changed), in, outgoing,
                stamps);
    }

    /**
     * Writes an incremental fragment ({@link Fragment#INCREMENTAL_VERSION}) to {@code out}: only what changed since
     * {@code base}. Removed keys are held in memory until the state's entries are written; changed values are not.
     * Does not close {@code out}.
     */
    public static void writeIncremental(OutputStream out, long snapshot, String process, long recordedAt,
                                        Fragment.Base base, StateChanges changes, Map<String, Fragment.InChannel> in,
                                        Map<String, Fragment.OutChannel> outgoing, Stamps stamps) throws IOException {
        write(out, snapshot, process, recordedAt, java.util.Objects.requireNonNull(base, "base"), changes, in,
                outgoing, stamps);
    }

    private static void write(OutputStream out, long snapshot, String process, long recordedAt, Fragment.Base base,
                              StateChanges state, Map<String, Fragment.InChannel> in,
                              Map<String, Fragment.OutChannel> outgoing, Stamps stamps) throws IOException {
        try (JsonGenerator json = Json.MAPPER.createGenerator(out)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeNumberField("v", base == null ? Fragment.VERSION : Fragment.INCREMENTAL_VERSION);
            json.writeNumberField("snapshot", snapshot);
            json.writeStringField("process", process);
            json.writeNumberField("recordedAt", recordedAt);
            if (base != null) {
                json.writeObjectFieldStart("base");
                json.writeNumberField("snapshot", base.snapshot());
                json.writeNumberField("offset", base.offset());
                json.writeNumberField("fullOffset", base.fullOffset());
                json.writeEndObject();
            }
            json.writeObjectFieldStart("state");
            List<String> removed = new java.util.ArrayList<>();
            try {
                state.forEach((key, value) -> {
                    try {
                        json.writeFieldName(key);
                        Json.MAPPER.writeTree(json, ValueCodec.toJson(value));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, removed::add);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            json.writeEndObject();
            if (base != null) {
                json.writeArrayFieldStart("removed");
                for (String key : removed) {
                    json.writeString(key);
                }
                json.writeEndArray();
            } else if (!removed.isEmpty()) {
                throw new IllegalStateException("a full fragment removes nothing, got " + removed);
            }
            if (stamps != null) {
                stamps.stateWritten();
            }
            json.writeObjectFieldStart("in");
            for (Map.Entry<String, Fragment.InChannel> channel : new TreeMap<>(in).entrySet()) {
                json.writeObjectFieldStart(channel.getKey());
                json.writeNumberField("recordedFrom", channel.getValue().recordedFrom());
                json.writeNumberField("markerOffset", channel.getValue().markerOffset());
                if (channel.getValue().appliedEpoch() >= 0) {
                    json.writeObjectFieldStart("applied");
                    json.writeNumberField("epoch", channel.getValue().appliedEpoch());
                    json.writeNumberField("seq", channel.getValue().appliedSeq());
                    json.writeEndObject();
                }
                writeMessages(json, channel.getValue().messages());
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeObjectFieldStart("out");
            for (Map.Entry<String, Fragment.OutChannel> channel : new TreeMap<>(outgoing).entrySet()) {
                json.writeObjectFieldStart(channel.getKey());
                json.writeNumberField("markerOffset", channel.getValue().markerOffset());
                json.writeEndObject();
            }
            json.writeEndObject();
            Timeline timeline = stamps == null ? null : stamps.timeline();
            if (timeline != null) {
                timeline.write(json);
            }
            json.writeEndObject();
        }
    }

    private static void writeMessages(JsonGenerator json, List<Fragment.Message> messages) throws IOException {
        json.writeArrayFieldStart("messages");
        for (Fragment.Message message : messages) {
            json.writeStartObject();
            json.writeNumberField("offset", message.offset());
            json.writeFieldName("key");
            Json.MAPPER.writeTree(json, message.key());
            json.writeFieldName("value");
            Json.MAPPER.writeTree(json, message.value());
            if (!message.headers().isEmpty()) {
                json.writeObjectFieldStart("headers");
                for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> header : message.headers().entrySet()) {
                    json.writeFieldName(header.getKey());
                    Json.MAPPER.writeTree(json, header.getValue());
                }
                json.writeEndObject();
            }
            if (message.timestamp() >= 0) {
                json.writeNumberField("timestamp", message.timestamp());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
