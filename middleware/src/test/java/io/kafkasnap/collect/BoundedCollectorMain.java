package io.kafkasnap.collect;

import java.time.Duration;
import java.util.Properties;

/**
 * A collector with a bound on the snapshots it keeps in full, in a JVM of its own with a small heap, run by
 * {@link BoundedCollectorTest}: reads every snapshot on the topics and prints how many it summarised and kept.
 * Args: bootstrap control collection expected keepInFull.
 */
public final class BoundedCollectorMain {

    private BoundedCollectorMain() {
    }

    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        int expected = Integer.parseInt(args[3]);
        int keep = Integer.parseInt(args[4]);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (SnapshotCollector collector = SnapshotCollector.builder(props).controlTopic(args[1])
                .collectionTopic(args[2]).keepInFull(keep).build()) {
            while (collector.summaries().size() < expected && System.nanoTime() < deadline) {
                collector.poll(Duration.ofMillis(200));
            }
            long complete = collector.summaries().stream().filter(SnapshotCollector.Summary::consistent).count();
            System.out.printf("summaries %d complete %d full %d heap %d MB%n", collector.summaries().size(), complete,
                    collector.all().size(), Runtime.getRuntime().maxMemory() >> 20);
            System.exit(collector.summaries().size() >= expected ? 0 : 1);
        }
    }
}
