package io.kafkasnap.node;

/**
 * Acknowledgements of channel sends, collected on the producer's thread and taken by the event loop in bulk. A
 * busy channel is acknowledged a batch of thousands of records at a time; as one loop task each, every record would
 * cost the loop a queue hand-off under a lock shared with the producer's thread.
 */
final class Acknowledgements {

    /** Takes one acknowledgement, on the loop. */
    interface Sink {
        void acknowledged(long id, long attempt, long offset) throws Exception;
    }

    /** {id, attempt, offset} after one another. */
    private long[] pending = new long[3 * 1024];
    private long[] taken = new long[3 * 1024];
    private int size;

    /** From the producer's thread. */
    synchronized void add(long id, long attempt, long offset) {
        if (size + 3 > pending.length) {
            pending = java.util.Arrays.copyOf(pending, pending.length * 2);
        }
        pending[size++] = id;
        pending[size++] = attempt;
        pending[size++] = offset;
    }

    synchronized boolean isEmpty() {
        return size == 0;
    }

    /** On the loop: hands every acknowledgement added so far to {@code sink}, in the order they came. */
    void drainTo(Sink sink) throws Exception {
        long[] drained;
        int n;
        synchronized (this) {
            if (size == 0) {
                return;
            }
            drained = pending;
            n = size;
            // The loop alone drains, so the array handed back here is not read again before the next swap.
            pending = taken.length >= drained.length ? taken : new long[drained.length];
            taken = drained;
            size = 0;
        }
        for (int i = 0; i < n; i += 3) {
            sink.acknowledged(drained[i], drained[i + 1], drained[i + 2]);
        }
    }
}
