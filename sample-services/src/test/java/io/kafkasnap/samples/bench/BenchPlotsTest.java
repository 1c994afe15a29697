package io.kafkasnap.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotsTest {

    private static final long SEED = 31;

    @TempDir
    Path dir;

    private static Bench.Latencies latencies(Random random, double base, int n) {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            millis[i] = base + random.nextDouble() * base;
        }
        return new Bench.Latencies(millis);
    }

    private static void assertPng(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).as("%s starts with the PNG signature (seed %d)", file, SEED)
                .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("ImageIO reads %s", file).isNotNull();
        assertThat(image.getWidth()).isEqualTo(BenchPlots.WIDTH);
        assertThat(image.getHeight()).isEqualTo(BenchPlots.HEIGHT);
    }

    @Test
    void writesThroughputSnapshotAndHopChartsAsPngsOfTheChartSize() throws IOException {
        Random random = new Random(SEED);
        BenchPlots plots = new BenchPlots(dir.resolve("plots"));
        Map<String, double[]> rounds = new LinkedHashMap<>();
        rounds.put("plain", new double[] {90_000, 95_000, 93_000});
        rounds.put("middleware", new double[] {40_000, 42_000, 41_000});
        rounds.put("not run", new double[] {Double.NaN, Double.NaN, Double.NaN});
        List<Bench.SnapshotLatencies> runs = List.of(
                new Bench.SnapshotLatencies(3, "ring", 3, latencies(random, 20, 30), latencies(random, 10, 30), 0, 5,
                        new PhaseBreakdown(), new MemorySample(0, 0), 20),
                new Bench.SnapshotLatencies(10, "ring", 10, latencies(random, 60, 30), latencies(random, 30, 30), 0,
                        12, new PhaseBreakdown(), new MemorySample(0, 0), 20));
        Map<String, Bench.Latencies> hop = new LinkedHashMap<>();
        hop.put("plain", latencies(random, 2, 1000));
        hop.put("hop", latencies(random, 5, 1000));

        Path throughput = plots.throughput(rounds, 100_000, 100);
        Path snapshots = plots.snapshotLatency(runs);
        Path hops = plots.hopLatency(hop, 200);

        assertThat(List.of(throughput, snapshots, hops)).extracting(p -> p.getFileName().toString())
                .containsExactly(BenchPlots.THROUGHPUT, BenchPlots.SNAPSHOT_LATENCY, BenchPlots.HOP_LATENCY);
        for (Path file : List.of(throughput, snapshots, hops)) {
            assertPng(file);
        }
    }
}
