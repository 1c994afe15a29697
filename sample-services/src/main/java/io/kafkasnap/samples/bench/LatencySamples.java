package io.kafkasnap.samples.bench;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Collects the latencies of the probes {@code warmup .. warmup + samples - 1} as they arrive (the first
 * {@code warmup} ones only warm up the path and are not counted). Fed from one thread; another may wait for them
 * ({@link #await}) and then read the figures.
 */
final class LatencySamples {

    private final int warmup;
    private final double[] millis;
    private final BitSet seen;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int arrived; // written by the feeding thread only; read elsewhere for messages

    LatencySamples(int warmup, int samples) {
        this.warmup = warmup;
        this.millis = new double[samples];
        this.seen = new BitSet(warmup + samples);
    }

    int total() {
        return warmup + millis.length;
    }

    /** One probe arrived at {@code nowNanos}; a probe seen before (a redelivery) counts once, the first time. */
    void arrived(byte[] value, long nowNanos) {
        long number = Stamps.seq(value);
        if (number < 0 || number >= total()) {
            throw new IllegalStateException("a probe numbered " + number + " in a run of " + total()
                    + ": a record not sent by this run");
        }
        int seq = (int) number;
        if (seen.get(seq)) {
            return;
        }
        seen.set(seq);
        if (seq >= warmup) {
            millis[seq - warmup] = (nowNanos - Stamps.sentNanos(value)) / 1e6;
        }
        if (++arrived == total()) {
            done.countDown();
        }
    }

    /** Waits up to {@code atMost} for every probe; true if they all arrived. */
    boolean await(Duration atMost) throws InterruptedException {
        return done.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
    }

    int arrivedSoFar() {
        return arrived;
    }

    boolean complete() {
        return done.getCount() == 0;
    }

    /** The counted latencies; call once {@link #complete()}. */
    Bench.Latencies latencies() {
        return new Bench.Latencies(millis);
    }
}
