package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One seeded run of a large random world on the real core: 20 to 200 processes, a random topology (strongly
 * connected or not, even disconnected), a random speed per channel and per state readout, several snapshots
 * with random initiators triggered while traffic flows. Every invariant is checked after every step, and at the
 * end that every snapshot completed wherever its initiators reach.
 *
 * <p>Everything follows from the seed, so a failure is replayed with {@code RandomSimulation.run(seed)}; every
 * failure message starts with the seed.
 */
final class RandomSimulation {

    /** Far above any run's length; reaching it means the world never went quiet. */
    private static final int MAX_STEPS = 1_000_000;
    private static final int TRACE_TAIL = 60;

    /** What a run did, for the property's statistics. */
    record Outcome(long seed, String shape, int processes, int channels, int snapshots, int completeEverywhere,
                   long steps, boolean aligned) {
    }

    /** The topology families; the first three are rarely or never strongly connected. */
    enum Shape { DAG, DISCONNECTED, RANDOM_OUT_DEGREE, RING_WITH_CHORDS }

    private final long seed;
    private final SplittableRandom random;
    private final SimScenario scenario;
    private final Map<String, Integer> channelSpeed = new HashMap<>();
    private final Map<String, Integer> readoutSpeed = new HashMap<>();
    private final int triggerWeight;
    private final Shape shape;

    private RandomSimulation(long seed, Mutation mutation) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        int processes = 20 + random.nextInt(181);
        this.shape = Shape.values()[random.nextInt(Shape.values().length)];
        SimTopology topology = topology(shape, processes);
        // Speeds spread over two orders of magnitude: a slow channel holds many records while a fast one drains.
        topology.channels().forEach(c -> channelSpeed.put(c.name(), 1 << random.nextInt(7)));
        topology.processes().forEach(p -> readoutSpeed.put(p, 1 << random.nextInt(7)));
        this.triggerWeight = 1 + random.nextInt(Math.max(2, processes / 4));
        List<SnapshotPlan> plans = new ArrayList<>();
        int snapshots = 2 + random.nextInt(4);
        for (int id = 1; id <= snapshots; id++) {
            plans.add(random.nextBoolean() ? SnapshotPlan.broadcast(id)
                    : new SnapshotPlan(id, pick(topology.processes(), 1 + random.nextInt(3))));
        }
        SimScenario drawn = new SimScenario(topology, 2 * processes, plans, Callback.OWN_STEP, Callback.OWN_STEP,
                mutation);
        // Drawn last, so that the worlds of earlier seeds stay what they were.
        this.scenario = random.nextBoolean() ? drawn.aligned() : drawn;
    }

    /** Runs the world of {@code seed} to quiescence; throws an AssertionError naming the seed on any violation. */
    static Outcome run(long seed) {
        return run(seed, Mutation.NONE);
    }

    static Outcome run(long seed, Mutation mutation) {
        RandomSimulation simulation = new RandomSimulation(seed, mutation);
        Optional<String> failure = simulation.execute(false);
        if (failure.isPresent()) {
            // Run again with narration on: same seed, same steps, and now the trace tail can be shown.
            throw new AssertionError(simulation.execute(true).orElse(failure.get()));
        }
        return simulation.outcome;
    }

    private Outcome outcome;

    private Optional<String> execute(boolean narrate) {
        SplittableRandom scheduler = new SplittableRandom(seed ^ 0x5DEECE66DL);
        SimWorld world = new SimWorld(scenario, narrate);
        long steps = 0;
        List<SimEvent> events = world.enabled();
        while (!events.isEmpty()) {
            world.apply(choose(events, scheduler));
            steps++;
            Optional<String> violation = world.violation();
            if (violation.isPresent()) {
                return Optional.of(failure(world, steps, violation.get()));
            }
            if (steps > MAX_STEPS) {
                return Optional.of(failure(world, steps, "no quiescence after " + MAX_STEPS + " steps"));
            }
            events = world.enabled();
        }
        Optional<String> stuck = world.terminationViolation();
        if (stuck.isPresent()) {
            return Optional.of(failure(world, steps, stuck.get()));
        }
        SimTopology topology = scenario.topology();
        outcome = new Outcome(seed, shape.name(), topology.processes().size(), topology.channels().size(),
                scenario.snapshots().size(), world.snapshotsCompleteEverywhere().size(), steps,
                scenario.isAligned());
        return Optional.empty();
    }

    private String failure(SimWorld world, long steps, String violation) {
        StringBuilder message = new StringBuilder("seed=").append(seed)
                .append(" (replay: RandomSimulation.run(").append(seed).append("L)) failed at step ").append(steps)
                .append(": ").append(violation).append("\n  ").append(scenario.topology().processes().size())
                .append(" processes, ").append(shape).append(", snapshots ").append(scenario.snapshots())
                .append(scenario.isAligned() ? ", aligned capture" : "");
        List<String> narration = world.narration();
        if (!narration.isEmpty()) {
            message.append("\n  last lines of the trace:");
            narration.subList(Math.max(0, narration.size() - TRACE_TAIL), narration.size())
                    .forEach(line -> message.append("\n    ").append(line));
        }
        return message.toString();
    }

    /** A random step, each enabled step weighted by how fast its channel, readout or kind is. */
    private SimEvent choose(List<SimEvent> events, SplittableRandom scheduler) {
        long[] cumulative = new long[events.size()];
        long total = 0;
        for (int i = 0; i < events.size(); i++) {
            total += weight(events.get(i));
            cumulative[i] = total;
        }
        long ticket = scheduler.nextLong(total);
        for (int i = 0; i < cumulative.length; i++) {
            if (ticket < cumulative[i]) {
                return events.get(i);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private long weight(SimEvent event) {
        if (event instanceof SimEvent.Deliver deliver) {
            return channelSpeed.get(deliver.channel());
        } else if (event instanceof SimEvent.ReadOut readOut) {
            return readoutSpeed.get(readOut.process());
        } else if (event instanceof SimEvent.IssueTrigger) {
            return triggerWeight;
        } else if (event instanceof SimEvent.Send || event instanceof SimEvent.CaptureNow) {
            return 1; // a timeout is rare next to deliveries: most alignments end with their last marker
        }
        return 16;
    }

    private SimTopology topology(Shape shape, int processes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            names.add("n" + i);
        }
        Set<SimTopology.Channel> channels = new LinkedHashSet<>();
        switch (shape) {
            case DAG -> {
                for (int to = 1; to < processes; to++) {
                    for (int k = 1 + random.nextInt(2); k > 0; k--) {
                        channels.add(new SimTopology.Channel(names.get(random.nextInt(to)), names.get(to)));
                    }
                }
            }
            case DISCONNECTED -> {
                int groups = 2 + random.nextInt(3);
                for (int from = 0; from < processes; from++) {
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        int to = random.nextInt(processes);
                        if (to != from && to % groups == from % groups) {
                            channels.add(new SimTopology.Channel(names.get(from), names.get(to)));
                        }
                    }
                }
            }
            case RANDOM_OUT_DEGREE -> {
                for (int from = 0; from < processes; from++) {
                    for (int k = random.nextInt(4); k > 0; k--) {
                        int to = random.nextInt(processes);
                        if (to != from) {
                            channels.add(new SimTopology.Channel(names.get(from), names.get(to)));
                        }
                    }
                }
            }
            case RING_WITH_CHORDS -> {
                for (int from = 0; from < processes; from++) {
                    channels.add(new SimTopology.Channel(names.get(from), names.get((from + 1) % processes)));
                }
                for (int k = processes / 2; k > 0; k--) {
                    int from = random.nextInt(processes);
                    int to = random.nextInt(processes);
                    if (to != from) {
                        channels.add(new SimTopology.Channel(names.get(from), names.get(to)));
                    }
                }
            }
        }
        return new SimTopology(shape + " of " + processes, names, new ArrayList<>(channels));
    }

    private List<String> pick(List<String> from, int count) {
        Set<String> picked = new LinkedHashSet<>();
        while (picked.size() < count) {
            picked.add(from.get(random.nextInt(from.size())));
        }
        return List.copyOf(picked);
    }
}
