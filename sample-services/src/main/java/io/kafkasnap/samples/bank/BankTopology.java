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
 *       all drawn from SEED: the same seed gives the same graph.</li>
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
     * @param spec {@code full}, {@code ring} or {@code random:SEED}
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
            long seed;
            try {
                seed = Long.parseLong(s.substring("random:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("topology random:SEED needs an integer SEED, got '" + spec + "'");
            }
            return new BankTopology(s, size, random(size, seed));
        }
        throw new IllegalArgumentException("unknown topology '" + spec + "'; use full, ring or random:SEED");
    }

    private static List<Edge> random(int size, long seed) {
        Random random = new Random(seed);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        Set<Edge> edges = new LinkedHashSet<>();
        for (int k = 0; k < size; k++) {
            edges.add(new Edge(order.get(k), order.get((k + 1) % size)));
        }
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                if (i != j && random.nextInt(3) == 0) {
                    edges.add(new Edge(i, j));
                }
            }
        }
        List<Edge> sorted = new ArrayList<>(edges);
        sorted.sort((a, b) -> a.from != b.from ? Integer.compare(a.from, b.from) : Integer.compare(a.to, b.to));
        return sorted;
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
