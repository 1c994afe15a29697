package io.kafkasnap.engine;

import java.util.Arrays;

/**
 * The slots in flight by outbox id. Ids grow with every append and an acknowledgement mostly removes the oldest, so
 * a ring over the ids from the oldest in flight to the newest does what a hash map did without boxing or hashing, in
 * O(1); the few ids between that are not in flight (gone already, or never committed) are empty cells.
 */
final class SlotWindow<T> {

    private Object[] ring = new Object[1024];
    private int head;
    /** Cells from {@link #base} on, the newest id included. */
    private int span;
    private long base;
    private int count;

    /** Adds {@code value} under {@code id}, which must be above every id added before. */
    void add(long id, T value) {
        if (span > 0 && id < base + span) {
            throw new IllegalArgumentException("id " + id + " is not above the newest, " + (base + span - 1));
        }
        if (span == 0) {
            base = id;
            head = 0;
        }
        long needed = id - base + 1;
        if (needed > ring.length) {
            grow(needed);
        }
        span = (int) needed;
        ring[(head + span - 1) & (ring.length - 1)] = value;
        count++;
    }

    @SuppressWarnings("unchecked")
    T get(long id) {
        if (id < base || id >= base + span) {
            return null;
        }
        return (T) ring[(head + (int) (id - base)) & (ring.length - 1)];
    }

    /** Removes what {@code id} holds, if anything. */
    void remove(long id) {
        if (id < base || id >= base + span) {
            return;
        }
        int cell = (head + (int) (id - base)) & (ring.length - 1);
        if (ring[cell] == null) {
            return;
        }
        ring[cell] = null;
        count--;
        while (span > 0 && ring[head] == null) {
            head = (head + 1) & (ring.length - 1);
            base++;
            span--;
        }
    }

    int size() {
        return count;
    }

    void clear() {
        Arrays.fill(ring, null);
        head = 0;
        span = 0;
        count = 0;
    }

    private void grow(long needed) {
        if (needed > 1 << 30) {
            throw new IllegalStateException("more than 2^30 outbox ids between the oldest in flight and the newest");
        }
        int capacity = Integer.highestOneBit((int) needed - 1) << 1;
        Object[] bigger = new Object[capacity];
        for (int i = 0; i < span; i++) {
            bigger[i] = ring[(head + i) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }
}
