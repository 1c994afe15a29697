package io.kafkasnap.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Processes and the directed FIFO channels between them, as the checker and the simulation see them.
 * A channel is named {@code from>to}, one per ordered pair at most, like one topic per sender and receiver.
 */
final class SimTopology {

    /** One directed channel: a single-partition topic with one sender and one receiver. */
    record Channel(String from, String to, String name) {
        /** The name is kept, not built on each call: the checker looks channels up by name millions of times. */
        Channel(String from, String to) {
            this(from, to, from + ">" + to);
        }
    }

    private final String name;
    private final List<String> processes;
    private final List<Channel> channels;
    // Precomputed because the simulation asks for them on every step of graphs with hundreds of channels.
    private final Map<String, List<Channel>> incoming = new HashMap<>();
    private final Map<String, List<Channel>> outgoing = new HashMap<>();
    private final Map<String, Channel> byName = new HashMap<>();

    SimTopology(String name, List<String> processes, List<Channel> channels) {
        this.name = name;
        this.processes = List.copyOf(processes);
        this.channels = List.copyOf(channels);
        for (String process : processes) {
            incoming.put(process, new ArrayList<>());
            outgoing.put(process, new ArrayList<>());
        }
        for (Channel channel : channels) {
            if (byName.put(channel.name(), channel) != null || channel.from().equals(channel.to())) {
                throw new IllegalArgumentException("duplicate channel or self-loop " + channel.name());
            }
            outgoing.get(channel.from()).add(channel);
            incoming.get(channel.to()).add(channel);
        }
    }

    String name() {
        return name;
    }

    List<String> processes() {
        return processes;
    }

    List<Channel> channels() {
        return channels;
    }

    static SimTopology twoNodesBothWays() {
        return new SimTopology("2 nodes both ways", List.of("a", "b"),
                List.of(new Channel("a", "b"), new Channel("b", "a")));
    }

    static SimTopology completeGraphOf3() {
        List<String> processes = List.of("a", "b", "c");
        List<Channel> channels = new ArrayList<>();
        for (String from : processes) {
            for (String to : processes) {
                if (!from.equals(to)) {
                    channels.add(new Channel(from, to));
                }
            }
        }
        return new SimTopology("3-node complete graph", processes, channels);
    }

    static SimTopology directedRingOf3() {
        return new SimTopology("3-node directed ring", List.of("a", "b", "c"),
                List.of(new Channel("a", "b"), new Channel("b", "c"), new Channel("c", "a")));
    }

    /** Source, two workers, sink: not strongly connected, so only initiators that reach everyone complete. */
    static SimTopology dagOf4() {
        return new SimTopology("4-node DAG", List.of("src", "w1", "w2", "sink"),
                List.of(new Channel("src", "w1"), new Channel("src", "w2"), new Channel("w1", "sink"),
                        new Channel("w2", "sink")));
    }

    List<Channel> incoming(String process) {
        return incoming.get(process);
    }

    List<Channel> outgoing(String process) {
        return outgoing.get(process);
    }

    Channel channel(String name) {
        Channel channel = byName.get(name);
        if (channel == null) {
            throw new IllegalArgumentException("no channel " + name);
        }
        return channel;
    }

    /** The processes a marker can reach from {@code initiators}: those that record the snapshot. */
    Set<String> reachableFrom(Collection<String> initiators) {
        Set<String> reached = new LinkedHashSet<>(initiators);
        Deque<String> todo = new ArrayDeque<>(initiators);
        while (!todo.isEmpty()) {
            String process = todo.removeFirst();
            for (Channel channel : outgoing(process)) {
                if (reached.add(channel.to())) {
                    todo.addLast(channel.to());
                }
            }
        }
        return reached;
    }

    @Override
    public String toString() {
        return name;
    }
}
