package io.kafkasnap.samples.bench;

/**
 * How many snapshots a latency run takes before it counts any. A bank of 50 services needs tens of seconds before
 * its snapshots stop getting faster (the JIT compiles broker, client and node code while 50 nodes run on 2 cores;
 * 2026-12-06: 780 ms trigger → last fragment over the first ten snapshots, about 400 ms from the fortieth on), while
 * a bank of 3 is warm after a few. So, like the throughput rounds' auto warm-up: warm-up snapshots in batches, until
 * a batch's median trigger → last fragment is no longer 10 % below the batch before it.
 *
 * @param batch      snapshots per warm-up batch
 * @param minBatches batches always taken
 * @param maxBatches batches at most
 */
public record SnapshotWarmup(int batch, int minBatches, int maxBatches) {

    /** Batches of 10, at least 2 and at most 6: 20 to 60 warm-up snapshots. */
    public static SnapshotWarmup auto() {
        return new SnapshotWarmup(10, 2, 6);
    }

    /** Exactly {@code snapshots} warm-up snapshots. */
    public static SnapshotWarmup fixed(int snapshots) {
        return new SnapshotWarmup(snapshots, 1, 1);
    }

    public SnapshotWarmup {
        if (batch < 0 || minBatches < 1 || maxBatches < minBatches) {
            throw new IllegalArgumentException("a warm-up needs batch >= 0 and 1 <= minBatches <= maxBatches, got "
                    + batch + ", " + minBatches + ", " + maxBatches);
        }
    }

    /**
     * Whether another batch follows the {@code done}-th (1-based), whose median was {@code median} after one of
     * {@code previous} (NaN for the first).
     */
    public boolean another(int done, double previous, double median) {
        if (done < minBatches) {
            return true;
        }
        if (done >= maxBatches) {
            return false;
        }
        return median < 0.9 * previous;
    }
}
