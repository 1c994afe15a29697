package io.kafkasnap.protocol;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and copies a {@link SnapshotProtocol}'s whole internal state, for the checker: a canonical text for state
 * hashing, and a copy so that backtracking need not replay the path.
 *
 * <p>Why reflection: two executions may only be merged if the real core is in the same state after both; a key
 * built from what the harness believes the core knows would hide exactly the bugs the checker hunts. The core
 * has no copy or equals by design, and its main classes stay untouched, so the fields are read here. If the
 * core gains, loses or renames a field this fails loudly at class load, so no state is silently left out.
 */
final class CoreInternals {

    private static final Set<String> KNOWN_FIELDS = Set.of("process", "outgoing", "positions", "firstSnapshot",
            "maxConcurrent", "controller", "recordings", "alignments", "finished", "finishedOrder");
    private static final Set<String> KNOWN_RECORDING_FIELDS = Set.of("snapshot", "recordedFrom",
            "markerArrivedAt", "outgoing", "markerSentAt", "stateRecorded");
    private static final Set<String> KNOWN_ALIGNMENT_FIELDS = Set.of("snapshot", "awaited", "markerArrivedAt");

    private static final Field RECORDINGS = field(SnapshotProtocol.class, "recordings");
    private static final Field ALIGNMENTS = field(SnapshotProtocol.class, "alignments");
    private static final Field ALIGNMENT_AWAITED = field(Alignment.class, "awaited");
    private static final Field ALIGNMENT_ARRIVED = field(Alignment.class, "markerArrivedAt");
    private static final Field FINISHED = field(SnapshotProtocol.class, "finished");
    private static final Field RECORDED_FROM = field(Recording.class, "recordedFrom");
    private static final Field MARKER_ARRIVED_AT = field(Recording.class, "markerArrivedAt");
    private static final Field OUTGOING = field(Recording.class, "outgoing");
    private static final Field MARKER_SENT_AT = field(Recording.class, "markerSentAt");
    private static final Field STATE_RECORDED = field(Recording.class, "stateRecorded");
    private static final Field PROCESS = field(SnapshotProtocol.class, "process");
    private static final Field POSITIONS = field(SnapshotProtocol.class, "positions");
    private static final Field OUTGOING_CHANNELS = field(SnapshotProtocol.class, "outgoing");
    private static final Field FIRST_SNAPSHOT = field(SnapshotProtocol.class, "firstSnapshot");
    private static final Field MAX_CONCURRENT = field(SnapshotProtocol.class, "maxConcurrent");
    private static final Field FINISHED_ORDER = field(SnapshotProtocol.class, "finishedOrder");

    static {
        requireFields(SnapshotProtocol.class, KNOWN_FIELDS);
        requireFields(Recording.class, KNOWN_RECORDING_FIELDS);
        requireFields(Alignment.class, KNOWN_ALIGNMENT_FIELDS);
    }

    private CoreInternals() {
    }

    /**
     * A core in the same state as {@code original}, acting through {@code controller}. Recordings are immutable
     * values, so sharing them is safe; the mutable collections are copied.
     */
    @SuppressWarnings("unchecked")
    static SnapshotProtocol copy(SnapshotProtocol original, Controller controller) {
        SnapshotProtocol copy = new SnapshotProtocol((String) read(PROCESS, original), original.positions(),
                (Set<String>) read(OUTGOING_CHANNELS, original), (long) read(FIRST_SNAPSHOT, original), (int) read(MAX_CONCURRENT, original), controller);
        ((Map<Object, Object>) read(RECORDINGS, copy)).putAll((Map<?, ?>) read(RECORDINGS, original));
        ((Map<Object, Object>) read(ALIGNMENTS, copy)).putAll((Map<?, ?>) read(ALIGNMENTS, original));
        ((Set<Object>) read(FINISHED, copy)).addAll((Set<?>) read(FINISHED, original));
        ((Collection<Object>) read(FINISHED_ORDER, copy)).addAll((Collection<?>) read(FINISHED_ORDER, original));
        return copy;
    }

    /** Feeds the core's whole state to {@code hash}; the core's maps and sets have no fixed order. */
    static void hash(StateHash hash, SnapshotProtocol core) {
        hash.tag('p').addUnordered((Map<?, ?>) read(POSITIONS, core));
        Map<?, ?> recordings = (Map<?, ?>) read(RECORDINGS, core);
        hash.add(recordings.size());
        recordings.forEach((snapshot, recording) -> hash.tag('R').addValue(snapshot)
                .addUnordered((Map<?, ?>) read(RECORDED_FROM, recording))
                .addUnordered((Map<?, ?>) read(MARKER_ARRIVED_AT, recording))
                .addUnordered((Set<?>) read(OUTGOING, recording))
                .addUnordered((Map<?, ?>) read(MARKER_SENT_AT, recording))
                .addValue(read(STATE_RECORDED, recording)));
        Map<?, ?> alignments = (Map<?, ?>) read(ALIGNMENTS, core);
        hash.add(alignments.size());
        alignments.forEach((snapshot, alignment) -> {
            Set<?> awaited = (Set<?>) read(ALIGNMENT_AWAITED, alignment);
            hash.tag('A').addValue(snapshot).addValue(awaited == null);
            if (awaited != null) {
                hash.addUnordered(awaited);
            }
            hash.addUnordered((Map<?, ?>) read(ALIGNMENT_ARRIVED, alignment));
        });
        hash.tag('f').addUnordered((Set<?>) read(FINISHED, core));
    }

    private static Object read(Field field, Object target) {
        try {
            return field.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }

    private static void requireFields(Class<?> type, Set<String> known) {
        Set<String> actual = new TreeSet<>();
        for (Field field : type.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                actual.add(field.getName());
            }
        }
        if (!actual.equals(new TreeSet<>(known))) {
            throw new IllegalStateException(type.getSimpleName() + " now has fields " + actual + "; CoreInternals"
                    + " knows " + new TreeSet<>(known) + ": update it so that hashing and copying see the whole state");
        }
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(type.getSimpleName() + "." + name + " is gone: update CoreFingerprint"
                    + " so that state hashing still sees the core's whole state", e);
        }
    }
}
