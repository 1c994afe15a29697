package io.kafkasnap.engine;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * When a node waits for markers before recording its state (see {@code protocol.Alignment}): only when the channels
 * still to bring a marker are more than {@code maxLag} records behind in all, since each of those records would
 * otherwise be kept as channel state and published in the fragment; and for at most {@code timeoutMillis}, since in a
 * cycle of such nodes every one may be waiting for another. Recording at once (Chandy–Lamport's own rule) costs
 * nothing when the channels are nearly drained, and is what {@code maxLag} 0 always does.
 */
record AlignPolicy(long maxLag, long timeoutMillis) {

    static final AlignPolicy NEVER = new AlignPolicy(0, 0);

    AlignPolicy {
        if (maxLag < 0 || timeoutMillis < 0) {
            throw new IllegalArgumentException("alignment lag and timeout must be >= 0, were " + maxLag + " and "
                    + timeoutMillis);
        }
    }

    /** Whether to wait for the markers of {@code channels}, whose senders have not sent theirs through yet. */
    boolean waitFor(Set<String> channels, InputControl input) {
        return maxLag > 0 && timeoutMillis > 0 && lag(channels, input) > maxLag;
    }

    long timeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    static long lag(Set<String> channels, InputControl input) {
        long sum = 0;
        for (String channel : channels) {
            sum += Math.max(0, input.lag(channel));
        }
        return sum;
    }
}
