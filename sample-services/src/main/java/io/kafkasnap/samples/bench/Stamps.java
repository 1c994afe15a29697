package io.kafkasnap.samples.bench;

import java.nio.ByteBuffer;

/**
 * A latency probe's value: its sequence number and the {@link System#nanoTime()} at which it was sent. Sender and
 * receiver run in one JVM, so the difference of two nanoTime readings is the latency with no clock skew.
 */
final class Stamps {

    static final int BYTES = 16;

    private Stamps() {
    }

    static byte[] encode(long seq, long sentNanos) {
        return ByteBuffer.allocate(BYTES).putLong(seq).putLong(sentNanos).array();
    }

    static long seq(byte[] value) {
        return ByteBuffer.wrap(value).getLong(0);
    }

    static long sentNanos(byte[] value) {
        return ByteBuffer.wrap(value).getLong(8);
    }
}
