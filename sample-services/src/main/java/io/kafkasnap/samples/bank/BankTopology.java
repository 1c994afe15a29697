package io.kafkasnap.samples.bank;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Which bank branch sends to which. A channel from branch {@code i} to branch {@code j} is the single-partition topic
 * {@code <prefix>bank.<i>.<j>}; branch {@code i} runs as process {@code bank-<i>}.
 *
 * <ul>
 *   <li>{@code full}: every branch sends to every other one (n·(n−1) channels);</li>
 *   <li>{@code ring}: {@code i → i+1 mod n} (n channels);</li>
 *   <li>{@code random:SEED}: a ring over a permutation drawn with SEED (so every branch has at least one incoming and
 *       one outgoing channel and the graph is strongly connected), plus every other edge with probability 1/3,
 *       all drawn from SEED: the same seed gives the same graph;</li>
 *   <li>{@code random:SEED:CHANNELS}: the same ring, plus further edges drawn from SEED, one at a time, uniformly
 *       among those not yet taken, until there are CHANNELS in all (n ≤ CHANNELS ≤ n·(n−1)): for a given channel
 *       count rather than about a third of all pairs.</li>
 * </ul>
 */
public final class BankTopology {

    /** One directed channel. */
    public record Edge(int from, int to) {
    }

    private final String spec;
    private final int size;
    private final List<Edge> edges;

    private BankTopology(String spec, int size, List<Edge> edges) {
        this.spec = spec;
        this.size = size;
        this.edges = List.copyOf(edges);
    }

    /**
     * @param spec {@code full}, {@code ring}, {@code random:SEED} or {@code random:SEED:CHANNELS}
     * @throws IllegalArgumentException with a message for the user if the spec or size is bad
     */
    public static BankTopology parse(String spec, int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a bank needs at least 2 services, got " + size);
        }
        if (spec == null) {
            throw new IllegalArgumentException("topology is required: full, ring or random:SEED");
        }
        String s = spec.trim();
        if (s.equals("full")) {
            List<Edge> edges = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    if (i != j) {
                        edges.add(new Edge(i, j));
                    }
                }
            }
            return new BankTopology(s, size, edges);
        }
        if (s.equals("ring")) {
            List<Edge> edges = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                edges.add(new Edge(i, (i + 1) % size));
            }
            return new BankTopology(s, size, edges);
        }
        if (s.startsWith("random:")) {
            String[] parts = s.substring("random:".length()).split(":", -1);
            long seed;
            try {
                seed = Long.parseLong(parts[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("topology random:SEED needs an integer SEED, got '" + spec + "'");
            }
            if (parts.length == 1) {
                return new BankTopology(s, size, random(size, seed));
            }
            int channels;
            try {
                channels = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
            } catch (NumberFormatException e) {
                channels = -1;
            }
            long most = (long) size * (size - 1);
            if (channels < size || channels > most) {
                throw new IllegalArgumentException("topology random:SEED:CHANNELS over " + size + " services needs "
                        + "CHANNELS between " + size + " (a ring) and " + most + " (full), got '" + spec + "'");
            }
            return new BankTopology(s, size, random(size, seed, channels));
        }
        throw new IllegalArgumentException("unknown topology '" + spec + "'; use full, ring, random:SEED or "
                + "random:SEED:CHANNELS");
    }

    /** The seeded ring plus edges drawn without replacement from the rest until there are {@code channels}. */
    private static List<Edge> random(int size, long seed, int channels) {
        Random random = new Random(seed);
        Set<Edge> edges = new LinkedHashSet<>(ring(size, random));
        List<Edge> rest = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                Edge e = new Edge(i, j);
                if (i != j && !edges.contains(e)) {
                    rest.add(e);
                }
            }
        }
        Collections.shuffle(rest, random);
        edges.addAll(rest.subList(0, channels - edges.size()));
        return sorted(edges);
    }

    /** A ring over a permutation drawn from {@code random}: every branch sends and receives, all reach all. */
    private static List<Edge> ring(int size, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<Edge> ring = new ArrayList<>();
        for (int k = 0; k < size; k++) {
            ring.add(new Edge(order.get(k), order.get((k + 1) % size)));
        }
        return ring;
    }

    private static List<Edge> sorted(Set<Edge> edges) {
        List<Edge> sorted = new ArrayList<>(edges);
        sorted.sort((a, b) -> a.from != b.from ? Integer.compare(a.from, b.from) : Integer.compare(a.to, b.to));
        return sorted;
    }

    private static List<Edge> random(int size, long seed) {
        Random random = new Random(seed);
        Set<Edge> edges = new LinkedHashSet<>(ring(size, random));
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                if (i != j && random.nextInt(3) == 0) {
                    edges.add(new Edge(i, j));
                }
            }
        }
        return sorted(edges);
    }

    public String spec() {
        return spec;
    }

    public int size() {
        return size;
    }

    public List<Edge> edges() {
        return edges;
    }

    public static String processId(int branch) {
        return "bank-" + branch;
    }

    public static String topic(String prefix, int from, int to) {
        return prefix + "bank." + from + "." + to;
    }

    public List<String> allTopics(String prefix) {
        return edges.stream().map(e -> topic(prefix, e.from, e.to)).toList();
    }

    public List<String> incoming(String prefix, int branch) {
        return edges.stream().filter(e -> e.to == branch).map(e -> topic(prefix, e.from, e.to)).toList();
    }

    public List<String> outgoing(String prefix, int branch) {
        return edges.stream().filter(e -> e.from == branch).map(e -> topic(prefix, e.from, e.to)).toList();
    }

    @Override
    public String toString() {
        return spec + " over " + size + " services, " + edges.size() + " channels";
    }
}
