package io.kafkasnap.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The node simulation (DESIGN.md, "The simulation"): real engines of a bank over in-memory logs, with every fault the
 * shell can see, checked after every event and judged at the end by the real assembler. A failure names its seed and
 * the shortest prefix of its trace that still fails; {@code -Dkafkasnap.sim.seed=N} replays one seed,
 * {@code -Dkafkasnap.sim.seeds=N} runs more (the {@code simulation} Maven profile runs for an hour).
 */
class NodeSimulationTest {

    static final int EVENTS = Integer.getInteger("kafkasnap.sim.events", 800);
    /** The ring of the bank; a sink that only receives comes on top of it. */
    static final int PROCESSES = 4;
    static final Set<SimCluster.Fault> FAULTS = faults();
    /** For replaying a broken variant's failure: {@code -Dkafkasnap.sim.broken=APPLY_GAP}. */
    static final Set<BrokenVariant> BROKEN = System.getProperty("kafkasnap.sim.broken") == null ? Set.of()
            : Set.of(BrokenVariant.valueOf(System.getProperty("kafkasnap.sim.broken")));

    private static Set<SimCluster.Fault> faults() {
        String named = System.getProperty("kafkasnap.sim.faults");
        if (named == null) {
            return EnumSet.allOf(SimCluster.Fault.class);
        }
        Set<SimCluster.Fault> faults = EnumSet.noneOf(SimCluster.Fault.class);
        for (String name : named.split(",")) {
            if (!name.isBlank()) {
                faults.add(SimCluster.Fault.valueOf(name.trim()));
            }
        }
        return faults;
    }

    /** One run of {@code seed}; empty if every invariant held. */
    static Optional<SimCluster.SimFailure> run(long seed, int events, Set<BrokenVariant> broken) {
        return run(seed, events, broken, new long[8]);
    }

    /**
     * @param totals adds the run's restores written, snapshots, complete snapshots, records removed by retention and
     *     starts refused because retention removed what a node without state needed
     */
    static Optional<SimCluster.SimFailure> run(long seed, int events, Set<BrokenVariant> broken, long[] totals) {
        SimCluster cluster = new SimCluster(seed, PROCESSES, FAULTS, broken);
        try {
            cluster.run(events);
            cluster.quiesceAndJudge();
            Map<String, Object> summary = cluster.summary();
            totals[0] += (int) summary.get("restores");
            totals[1] += (int) summary.get("snapshots");
            totals[2] += (long) summary.get("complete");
            totals[3] += (long) summary.get("removedByRetention");
            totals[4] += (int) summary.get("refusals");
            totals[5] += (long) summary.get("aligned");
            totals[6] += (long) summary.get("held");
            totals[7] += (int) summary.get("incremental");
            return Optional.empty();
        } catch (SimCluster.SimFailure failure) {
            return Optional.of(failure);
        }
    }

    /** The seed, what failed, and the trace of the shortest run of that seed that still fails. */
    static String explain(long seed, SimCluster.SimFailure failure, Set<BrokenVariant> broken) {
        int low = Boolean.getBoolean("kafkasnap.sim.noshrink") ? EVENTS : 0;
        int high = EVENTS;
        while (low < high) { // the fewest random events after which the run, settled, still fails
            int mid = (low + high) / 2;
            if (run(seed, mid, broken).isPresent()) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        SimCluster shortest = new SimCluster(seed, PROCESSES, FAULTS, broken);
        String why;
        try {
            shortest.run(low);
            shortest.quiesceAndJudge();
            why = failure.getMessage();
        } catch (SimCluster.SimFailure f) {
            why = f.getMessage();
        }
        List<String> trace = shortest.trace().stream().filter(e -> !e.endsWith("(settling)")).toList();
        List<String> tail = trace.subList(Math.max(0, trace.size() - 80), trace.size());
        return "seed " + seed + " fails (replay: -Dkafkasnap.sim.seed=" + seed + "): " + why + "\nshortest failing"
                + " run: " + low + " random events then settling; its last " + tail.size() + " events before"
                + " settling:\n  " + String.join("\n  ", tail);
    }

    static long firstSeed() {
        return Long.getLong("kafkasnap.sim.seed", 1L);
    }

    static int seeds() {
        return Long.getLong("kafkasnap.sim.seed") != null ? 1 : Integer.getInteger("kafkasnap.sim.seeds", 500);
    }

    @Test
    void everySeedKeepsEveryInvariantThroughCrashesFailedSendsAndRestores() {
        List<String> failures = new ArrayList<>();
        long[] totals = new long[8];
        long start = System.nanoTime();
        for (long seed = firstSeed(); seed < firstSeed() + seeds() && failures.size() < 3; seed++) {
            long s = seed;
            run(seed, EVENTS, BROKEN, totals).ifPresent(f -> failures.add(explain(s, f, BROKEN)));
        }
        System.out.printf("node simulation: %d seeds of %d events in %.1f s: %d snapshots (%d complete), %d restores,"
                + " %d channel records removed by retention, %d starts refused for it; %d times a node waited for"
                + " markers before capturing, holding a channel %d times; %d incremental fragments%n", seeds(), EVENTS,
                (System.nanoTime() - start) / 1e9, totals[1], totals[2], totals[0], totals[3], totals[4], totals[5],
                totals[6], totals[7]);
        assertThat(failures).as("failing seeds").isEmpty();
    }

    @Test
    void aSeedReplaysToTheSameTraceAndOutcome() {
        // The first seed from firstSeed() + 7 on whose run a snapshot completes, so that the replay covers one.
        long seed = firstSeed() + 6;
        SimCluster first;
        do {
            seed++;
            first = new SimCluster(seed, PROCESSES, EnumSet.allOf(SimCluster.Fault.class), Set.of());
            first.run(EVENTS);
            first.quiesceAndJudge();
        } while ((long) first.summary().get("complete") == 0 && seed < firstSeed() + 50);
        SimCluster second = new SimCluster(seed, PROCESSES, EnumSet.allOf(SimCluster.Fault.class), Set.of());
        second.run(EVENTS);
        second.quiesceAndJudge();
        assertThat(second.trace()).as("trace of seed %d", seed).isEqualTo(first.trace());
        Map<String, Object> a = first.summary();
        assertThat(second.summary()).as("outcome of seed %d", seed).isEqualTo(a);
        assertThat((long) a.get("complete")).as("complete snapshots in seed %d: %s", seed, a).isPositive();
    }

    @ParameterizedTest
    @EnumSource(BrokenVariant.class)
    void theSimulationCatchesABrokenEngine(BrokenVariant variant) {
        int tried = 0;
        Optional<SimCluster.SimFailure> found = Optional.empty();
        for (long seed = 1; seed <= 200 && found.isEmpty(); seed++) {
            tried++;
            found = run(seed, EVENTS, Set.of(variant));
        }
        System.out.printf("node simulation: %s caught after %d seed(s)%s%n", variant, tried,
                found.map(f -> ": " + f.getMessage()).orElse(""));
        assertThat(found).as("a failing seed among the first 200 for %s", variant).isPresent();
    }
}
