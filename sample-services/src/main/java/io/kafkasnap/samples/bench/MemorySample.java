package io.kafkasnap.samples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This JVM's memory at one moment, after full collections: the used heap (MemoryMXBean) and the resident set
 * ({@code VmRSS} of /proc/self/status; -1 where there is no /proc). Taken before and while a cluster runs, the
 * difference divided by its nodes is what one node costs here, broker-side objects for its topics included when the
 * broker shares the JVM.
 */
public record MemorySample(long heapUsedBytes, long rssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Collects twice (finalisable objects and what they held), then reads the figures. */
    public static MemorySample take() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemorySample(heap, rss());
    }

    /** {@code this − before}, field by field; rss stays -1 if either is unknown. */
    public MemorySample minus(MemorySample before) {
        return new MemorySample(heapUsedBytes - before.heapUsedBytes,
                rssBytes < 0 || before.rssBytes < 0 ? -1 : rssBytes - before.rssBytes);
    }

    private static long rss() {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    // "VmRSS:	  123456 kB"
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim()) * 1024;
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
