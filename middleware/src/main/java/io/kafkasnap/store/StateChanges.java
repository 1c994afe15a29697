package io.kafkasnap.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which state keys were written between one capture and the next, so that an incremental read-out looks up those
 * keys in both captures instead of walking both whole: for 1 % of a 1 GB state changed, 10 MB of reads rather than
 * 2 GB. Interval {@code i} holds the keys that the commits between capture {@code i - 1} and capture {@code i} wrote.
 * An interval is <em>unknown</em> once it holds more than {@link #MAX_KEYS} keys, or when a step spilled its writes
 * into the native batch (their keys are not on the heap); a read-out across an unknown interval walks both captures
 * as before. Intervals no open capture can need are dropped. Thread-safe: the event loop commits and captures, the
 * fragment thread reads and releases.
 */
final class StateChanges {

    /** More keys than this in one interval make it unknown: about 6 MB of key strings at most per interval. */
    static final int MAX_KEYS = 100_000;

    private static final Set<String> UNKNOWN = Set.of();

    private Set<String> current = new HashSet<>();
    private boolean currentUnknown;
    /** Capture sequence → the keys its interval wrote, or {@link #UNKNOWN}. */
    private final TreeMap<Long, Set<String>> intervals = new TreeMap<>();
    /** Sequences of the captures not yet released, with how many times each is open (once). */
    private final TreeMap<Long, Integer> open = new TreeMap<>();
    private long nextCapture;

    /** A step committed writes of these keys. */
    synchronized void committed(Collection<String> keys) {
        if (currentUnknown || keys.isEmpty()) {
            return;
        }
        current.addAll(keys);
        if (current.size() > MAX_KEYS) {
            unknown();
        }
    }

    /** A step committed writes whose keys are not known here. */
    synchronized void spilled() {
        unknown();
    }

    private void unknown() {
        currentUnknown = true;
        current = new HashSet<>();
    }

    /** A capture is taken of the state as committed now; returns its sequence number. */
    synchronized long captured() {
        long seq = nextCapture++;
        intervals.put(seq, currentUnknown ? UNKNOWN : Set.copyOf(current));
        current = new HashSet<>();
        currentUnknown = false;
        open.merge(seq, 1, Integer::sum);
        return seq;
    }

    synchronized void released(long seq) {
        open.computeIfPresent(seq, (s, n) -> n == 1 ? null : n - 1);
        // A later read-out is between two open captures, both at or after the oldest open one: it needs only the
        // intervals after that.
        long oldest = open.isEmpty() ? nextCapture : open.firstKey();
        intervals.headMap(oldest, true).clear();
    }

    /**
     * The keys written after capture {@code base} up to capture {@code to}, each once, in the store's key order
     * (unsigned UTF-8 bytes); empty if an interval in between is unknown or gone.
     */
    synchronized Optional<List<byte[]>> between(long base, long to) {
        if (base >= to) {
            return Optional.empty();
        }
        Set<String> keys = new HashSet<>();
        for (long seq = base + 1; seq <= to; seq++) {
            Set<String> interval = intervals.get(seq);
            if (interval == null || interval == UNKNOWN) {
                return Optional.empty();
            }
            keys.addAll(interval);
        }
        byte[][] sorted = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        Arrays.sort(sorted, Arrays::compareUnsigned);
        return Optional.of(List.of(sorted));
    }
}
