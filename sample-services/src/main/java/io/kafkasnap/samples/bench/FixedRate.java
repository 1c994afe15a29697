package io.kafkasnap.samples.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * When the i-th probe of a fixed-rate run is due: {@code start + i / rate}. Each is due at its own time, not one
 * period after the previous one was sent, so a late send does not slow the rate down for the rest of the run.
 */
final class FixedRate {

    private final double intervalNanos;
    private long start;

    FixedRate(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of records/s, got " + perSecond);
        }
        this.intervalNanos = 1e9 / perSecond;
    }

    void start(long nowNanos) {
        start = nowNanos;
    }

    long dueNanos(long i) {
        return start + (long) (i * intervalNanos);
    }

    /** Parks the calling thread until probe {@code i} is due (at once if it is late); false if interrupted. */
    boolean awaitDue(long i) {
        long due = dueNanos(i);
        for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(left);
        }
        return true;
    }

    long intervalNanos() {
        return (long) intervalNanos;
    }
}
