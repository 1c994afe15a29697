package io.kafkasnap.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which state keys were written between one capture and the next, so that an incremental read-out looks up those
 * keys in both captures instead of walking both whole: for 1 % of a 1 GB state changed, 10 MB of reads rather than
 * 2 GB. Interval {@code i} holds the keys that the commits between capture {@code i - 1} and capture {@code i} wrote.
 * An interval is <em>unknown</em> when a step spilled its writes into the native batch (their keys are not on the
 * heap), and the oldest intervals become unknown whenever all kept together would hold more than {@link #MAX_KEYS}
 * keys (a base kept while fragments keep failing must not make the store hold every key written since); a read-out
 * across an unknown interval walks both captures as before. Intervals no open capture can need are dropped.
 * Thread-safe: the event loop commits and captures, the fragment thread reads and releases.
 */
final class StateChanges {

    /** At most this many keys are kept over all intervals: some 6 MB of key strings. */
    static final int MAX_KEYS = 100_000;

    /** Compared by identity: not {@code Set.of()}, which an empty interval's copy would be too. */
    private static final Set<String> UNKNOWN = Collections.unmodifiableSet(new HashSet<>());

    private Set<String> current = new HashSet<>();
    private boolean currentUnknown;
    /** Capture sequence → the keys its interval wrote, or {@link #UNKNOWN}. */
    private final TreeMap<Long, Set<String>> intervals = new TreeMap<>();
    /** Sequences of the captures not yet released, with how many times each is open (once). */
    private final TreeMap<Long, Integer> open = new TreeMap<>();
    private long nextCapture;
    /** Keys held by the known intervals and the current one. */
    private int kept;

    /** A step committed writes of these keys. */
    synchronized void committed(Collection<String> keys) {
        if (currentUnknown || keys.isEmpty()) {
            return;
        }
        int before = current.size();
        current.addAll(keys);
        kept += current.size() - before;
        // Forget the oldest intervals first: the newest are what the next read-out (from the latest base) needs.
        while (kept > MAX_KEYS) {
            if (!forgetOldest()) {
                unknown();
            }
        }
    }

    private boolean forgetOldest() {
        for (var interval : intervals.entrySet()) {
            if (interval.getValue() != UNKNOWN) {
                kept -= interval.getValue().size();
                interval.setValue(UNKNOWN);
                return true;
            }
        }
        return false;
    }

    /** A step committed writes whose keys are not known here. */
    synchronized void spilled() {
        unknown();
    }

    private void unknown() {
        kept -= current.size();
        currentUnknown = true;
        current = new HashSet<>();
    }

    /** A capture is taken of the state as committed now; returns its sequence number. */
    synchronized long captured() {
        long seq = nextCapture++;
        // Handed over as it is, not copied: a capture must cost the event loop the same whatever was written.
        intervals.put(seq, currentUnknown ? UNKNOWN : current);
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
        var dropped = intervals.headMap(oldest, true);
        dropped.values().forEach(keys -> kept -= keys.size());
        dropped.clear();
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
