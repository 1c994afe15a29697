package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.collect.InMemoryAssembly;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.Chunks;
import io.kafkasnap.format.ControlHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.Timeline;
import io.kafkasnap.format.Markers;
import io.kafkasnap.format.ValueCodec;
import io.kafkasnap.kafka.ChannelLog;
import io.kafkasnap.kafka.ChannelRecord;
import io.kafkasnap.protocol.LocalSnapshot;
import io.kafkasnap.store.InMemoryNodeStore;
import io.kafkasnap.store.OutboxEntry;
import io.kafkasnap.store.RecordedRecord;
import io.kafkasnap.store.StateCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Real {@link NodeEngine}s of a bank (every process sends part of its balance to the next ones; the total is
 * conserved) over in-memory single-partition logs, with simulated time and a seeded scheduler that picks the next
 * event among all that can happen: a poll batch, a producer resolving a send (written, failed, or written with its
 * acknowledgement lost), an outcome reaching the engine (at times out of order), a fragment published or failed, a
 * restore's snapshot loaded, a tick, a kill -9, a restart, a lost state directory, a clean stop and rejoin, a
 * trigger, a restore (valid, to an older snapshot, or void). After every event {@link #checkInvariants()} runs; at
 * the end {@link #quiesceAndJudge()} lets everything settle and judges every snapshot with the real assembler.
 */
final class SimCluster {

    static final long INITIAL_BALANCE = 1_000;
    static final String CONTROL = "control";
    static final String FRAGMENTS = "fragments";
    static final long SNAPSHOT_TIMEOUT_MS = 3_000;
    /**
     * Each start of a process draws how far behind its channels must be for it to wait for markers before capturing
     * (0: never waits, Chandy–Lamport's rule) and how long it waits at most: from at once to past the snapshot timeout.
     */
    static final long[] ALIGN_LAGS = {0, 1, 3, 10};
    /** How often a fragment is full, drawn per start: 1 is every one, as the nodes' default. */
    static final int[] FULL_EVERY = {1, 2, 3, 5};
    static final long[] ALIGN_TIMEOUTS_MS = {20, 300, 5_000};

    /** Faults the run may inject; all by default. */
    enum Fault {
        SEND_FAILURES, LOST_ACKS, LATE_OUTCOMES, KILLS, LOST_STATE, LEAVES, FRAGMENT_FAILURES, RESTORES,
        /** Retention removes the head of a channel ({@link #retention}). */
        RETENTION
    }

    /** A simulated run failed: what broke, at which event. */
    static final class SimFailure extends RuntimeException {
        final int event;

        SimFailure(int event, String message, Throwable cause) {
            super(message, cause);
            this.event = event;
        }
    }

    record Rec(long offset, byte[] key, byte[] value, Headers headers, long timestamp) {
    }

    private final class Send {
        final OutboxEntry entry;
        final long attempt;

        Send(OutboxEntry entry, long attempt) {
            this.entry = entry;
            this.attempt = attempt;
        }
    }

    /** A published fragment's state, as the node's fragment publisher keeps its capture. */
    record FragmentBase(long snapshot, Map<String, byte[]> state, long offset, long fullOffset, int depth) {
    }

    final class Proc {
        final String id;
        final Set<String> in;
        final Set<String> out;
        InMemoryNodeStore store = new InMemoryNodeStore();
        NodeEngine engine;
        boolean alive;
        boolean lostState;
        long lastEpoch;
        final Map<String, Long> readPos = new HashMap<>();
        final Set<String> paused = new TreeSet<>();
        final Map<String, ArrayDeque<Send>> producer = new TreeMap<>();
        final List<Runnable> outcomes = new ArrayList<>();
        final Map<Long, Runnable> fragments = new TreeMap<>();
        final List<Long> loads = new ArrayList<>();
        /** Every how many fragments one is full, drawn at each start. */
        int fullEvery = 1;
        /** The state of the latest fragment published whole: what the next incremental one is the difference from. */
        FragmentBase base;

        Proc(String id, Set<String> in, Set<String> out) {
            this.id = id;
            this.in = in;
            this.out = out;
        }

        boolean hasInput() {
            for (Map.Entry<String, Long> pos : readPos.entrySet()) {
                if (!paused.contains(pos.getKey()) && Math.max(pos.getValue(), logStart(pos.getKey()))
                        < logs.get(pos.getKey()).size()) {
                    return true;
                }
            }
            return false;
        }

        boolean hasSends() {
            return producer.values().stream().anyMatch(q -> !q.isEmpty());
        }

        boolean busy() {
            return hasInput() || hasSends() || !outcomes.isEmpty() || !fragments.isEmpty() || !loads.isEmpty();
        }
    }

    final long seed;
    private final Random random;
    /** Apart from {@link #random}, so that deciding how far retention goes leaves every other draw as it was. */
    private final Random pastFenceRandom;
    /** Apart from {@link #random} too: how long each start of a process waits for markers before capturing. */
    private final Random alignRandom;
    /** Apart from the others too: every how many fragments a start of a process publishes a full one. */
    private final Random chainRandom;
    /** The state each published fragment was read from, by {@code process@snapshot}. */
    private final Map<String, Map<String, byte[]>> published = new HashMap<>();
    /** How many incremental fragments were published. */
    private int incrementalFragments;
    /** Every incarnation's meters, summed by name: how often the nodes waited for markers and held a channel. */
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Set<Fault> faults;
    private final Set<BrokenVariant> broken;
    /** The process that only receives (from p1). */
    static final String SINK = "a-sink";
    private final Map<String, List<Rec>> logs = new TreeMap<>();
    /**
     * The first offset still in each channel's log: what retention removed is below it. The records stay in
     * {@link #logs} only for the judge's consistency check, an oracle of everything ever written; nodes never read
     * below the log start.
     */
    private final Map<String, Long> logStart = new TreeMap<>();
    final List<Proc> procs = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();
    private long nanos = 1_000_000_000_000L;
    private final long baseMillis = 1_700_000_000_000L;
    boolean transfers = true;
    /** A restore let a newcomer start over: the bank's total is no longer what it started with. */
    private boolean moneyUnjudgeable;
    private int events;
    private int restoresWritten;
    private long removedByRetention;
    /** Starts refused because retention removed the head a node without state needed. */
    private int refusals;

    SimCluster(long seed, int processes, Set<Fault> faults, Set<BrokenVariant> broken) {
        this.seed = seed;
        this.random = new Random(seed);
        this.pastFenceRandom = new Random(seed ^ 0x9E3779B97F4A7C15L);
        this.alignRandom = new Random(seed ^ 0xC2B2AE3D27D4EB4FL);
        this.chainRandom = new Random(seed ^ 0x165667B19E3779F9L);
        this.faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        this.broken = broken;
        logs.put(CONTROL, new ArrayList<>());
        logs.put(FRAGMENTS, new ArrayList<>());
        // A ring plus one chord, so that some process has two incoming and two outgoing channels.
        Map<String, Set<String>> in = new TreeMap<>();
        Map<String, Set<String>> out = new TreeMap<>();
        for (int i = 0; i < processes; i++) {
            in.put("p" + i, new TreeSet<>());
            out.put("p" + i, new TreeSet<>());
        }
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            edges.add(new int[] {i, (i + 1) % processes});
        }
        if (processes > 2) {
            edges.add(new int[] {0, 2});
        }
        for (int[] e : edges) {
            String topic = "ch." + e[0] + "." + e[1];
            logs.put(topic, new ArrayList<>());
            out.get("p" + e[0]).add(topic);
            in.get("p" + e[1]).add(topic);
        }
        // And a sink, which only receives: without an outgoing channel it has nothing of its own to tell it that it
        // ran before, so when it loses its state and retention took the head of its channel it must refuse to start.
        // Its id sorts first, so that the ring's last process is still the one that joins late.
        String sink = "ch.1.s";
        logs.put(sink, new ArrayList<>());
        out.get("p1").add(sink);
        in.put(SINK, new TreeSet<>(Set.of(sink)));
        out.put(SINK, new TreeSet<>());
        in.forEach((id, channels) -> procs.add(new Proc(id, channels, out.get(id))));
    }

    Time time() {
        return new Time() {
            @Override
            public long nanos() {
                return nanos;
            }

            @Override
            public long millis() {
                return baseMillis + nanos / 1_000_000;
            }
        };
    }

    List<String> trace() {
        return trace;
    }

    int events() {
        return events;
    }

    // ---- running ---------------------------------------------------------------------------------------------

    /** Starts every process, then runs {@code count} random events, checking the invariants after each. */
    void run(int count) {
        // The last process joins later, at a random event: snapshots before it do not have it as a member.
        for (Proc p : procs.subList(0, procs.size() - 1)) {
            step("start " + p.id, () -> start(p));
        }
        for (int i = 0; i < count; i++) {
            randomEvent();
        }
    }

    private void step(String what, ThrowingRunnable action) {
        events++;
        trace.add(events + ": " + what);
        try {
            action.run();
            checkInvariants();
        } catch (SimFailure f) {
            throw f;
        } catch (Throwable t) {
            throw new SimFailure(events, "event " + events + " (" + what + "): " + t, t);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void randomEvent() {
        List<Map.Entry<String, ThrowingRunnable>> enabled = new ArrayList<>();
        for (Proc p : procs) {
            if (p.alive) {
                if (p.hasInput()) {
                    add(enabled, 6, "poll " + p.id, () -> poll(p));
                }
                if (p.hasSends()) {
                    add(enabled, 6, "producer of " + p.id, () -> resolveSend(p));
                }
                if (!p.outcomes.isEmpty()) {
                    add(enabled, 6, "outcome to " + p.id, () -> deliverOutcome(p));
                }
                if (!p.fragments.isEmpty()) {
                    add(enabled, 2, "fragment of " + p.id, () -> resolveFragment(p));
                }
                if (!p.loads.isEmpty()) {
                    add(enabled, 2, "restore lookup of " + p.id, () -> resolveLoad(p));
                }
                add(enabled, 3, "tick " + p.id, () -> tick(p, random.nextInt(40)));
                if (faults.contains(Fault.KILLS) && random.nextInt(5) == 0) {
                    add(enabled, 1, "kill -9 " + p.id, () -> kill(p));
                }
                if (faults.contains(Fault.LEAVES) && random.nextInt(15) == 0) {
                    add(enabled, 1, "clean stop " + p.id, () -> cleanStop(p));
                }
            } else {
                add(enabled, 3, "restart " + p.id, () -> start(p));
                if (faults.contains(Fault.LOST_STATE) && random.nextInt(3) == 0) {
                    add(enabled, 1, "restart " + p.id + " with its state directory lost", () -> {
                        // Only once a snapshot of everyone exists, so that a restore can bring it back.
                        if (assemble().stream().anyMatch(s -> s.status() == GlobalSnapshot.Status.COMPLETE
                                && s.members().size() == procs.size())) {
                            p.store = new InMemoryNodeStore();
                            p.lostState = true;
                        } else {
                            trace.add("  (no complete snapshot of every process yet: the state directory stays)");
                        }
                        start(p);
                    });
                }
            }
        }
        if (random.nextInt(3) == 0) {
            add(enabled, 1, "trigger", this::trigger);
        }
        if (faults.contains(Fault.RESTORES) && restoresWritten < 3) {
            add(enabled, 2, "restore", this::restore);
        }
        if (faults.contains(Fault.RETENTION) && random.nextInt(2) == 0) {
            add(enabled, 1, "retention", this::retention);
        }
        int total = enabled.stream().mapToInt(e -> Integer.parseInt(e.getKey().substring(0, 1))).sum();
        int pick = random.nextInt(total);
        for (Map.Entry<String, ThrowingRunnable> e : enabled) {
            pick -= Integer.parseInt(e.getKey().substring(0, 1));
            if (pick < 0) {
                step(e.getKey().substring(2), e.getValue());
                return;
            }
        }
    }

    private static void add(List<Map.Entry<String, ThrowingRunnable>> enabled, int weight, String what,
                            ThrowingRunnable action) {
        enabled.add(new AbstractMap.SimpleEntry<>(weight + " " + what, action));
    }

    // ---- a process's life ------------------------------------------------------------------------------------

    private void start(Proc p) throws Exception {
        p.store = p.store.crash(); // a process finds what was committed, nothing more
        p.fullEvery = FULL_EVERY[chainRandom.nextInt(FULL_EVERY.length)];
        p.base = null; // a new publisher: its first fragment is full
        p.engine = new NodeEngine(new NodeEngine.Settings(p.id, p.in, p.out, this::handle, List.of(this::initial),
                List.of(new NodeEngine.Periodic(Duration.ofMillis(5), this::transfer)), SNAPSHOT_TIMEOUT_MS, 4,
                10_000, 1_000, 500, ALIGN_LAGS[alignRandom.nextInt(ALIGN_LAGS.length)],
                ALIGN_TIMEOUTS_MS[alignRandom.nextInt(ALIGN_TIMEOUTS_MS.length)]), p.store, ports(p), time(),
                meters, broken);
        long join = appendControl(new ControlRecord.Join(p.id, List.copyOf(p.in), List.copyOf(p.out)));
        long actFrom = p.engine.actFrom(join);
        for (Rec r : logs.get(CONTROL)) {
            if (r.offset() >= actFrom) {
                break;
            }
            p.engine.catchUpControl(r.offset(), r.timestamp(), r.value());
        }
        Map<String, Long> beginnings = new HashMap<>();
        p.in.forEach(c -> beginnings.put(c, logStart(c)));
        Map<String, Long> lastOut = new HashMap<>();
        for (String c : p.out) {
            List<Rec> log = logs.get(c);
            lastOut.put(c, log.isEmpty() ? -1L : ChannelHeaders.sequence(log.get(log.size() - 1).headers()).epoch());
        }
        Map<String, Long> positions;
        try {
            positions = p.engine.open(actFrom, beginnings, lastOut, (channel, from, epoch) -> {
                ChannelHeads.Judge judge = new ChannelHeads.Judge(epoch);
                for (Rec r : logs.get(channel)) {
                    ChannelHeaders.Sequence seq = ChannelHeaders.sequence(r.headers());
                    if (r.offset() >= from && seq != null && judge.offer(seq.epoch(), seq.seq())) {
                        break;
                    }
                }
                return judge.holdsStart();
            });
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().contains("cannot start from a guess")) {
                throw e;
            }
            refused(p, e);
            return;
        }
        p.readPos.clear();
        p.readPos.putAll(positions);
        p.readPos.put(CONTROL, actFrom);
        p.paused.clear();
        p.engine.bindTo(Thread.currentThread());
        p.alive = true;
        p.engine.firstStep();
    }

    /**
     * A node without state refused to start because retention removed what it would apply first. That is right only
     * if a record of the epoch it starts in (or a later one) is gone from one of its incoming channels; otherwise it
     * refused a start it could have made. Like the shell, it leaves again; it stays down until a restart after a
     * restore that brings it back.
     */
    private void refused(Proc p, IllegalStateException e) {
        long epoch = InMemoryAssembly.history(controlAts()).latestRestore()
                .map(ControlHistory.RestoreVerdict::epoch).orElse(0L);
        boolean removed = p.in.stream().anyMatch(c -> logs.get(c).stream().anyMatch(r -> r.offset() < logStart(c)
                && ChannelHeaders.sequence(r.headers()) != null
                && ChannelHeaders.sequence(r.headers()).epoch() >= epoch));
        if (!removed) {
            throw new SimFailure(events, p.id + " refused to start though retention removed nothing of epoch "
                    + epoch + " or later from its channels: " + e.getMessage(), e);
        }
        trace.add("  (" + p.id + " refused to start: " + e.getMessage().substring(0, Math.min(160,
                e.getMessage().length())) + "...)");
        refusals++;
        appendControl(new ControlRecord.Leave(p.id));
        p.alive = false;
    }

    private void kill(Proc p) {
        // Of what the producer had in flight, a prefix may have reached the broker.
        for (ArrayDeque<Send> queue : p.producer.values()) {
            int written = queue.isEmpty() ? 0 : random.nextInt(queue.size() + 1);
            for (int i = 0; i < written; i++) {
                append(queue.poll().entry);
            }
            queue.clear();
        }
        p.outcomes.clear();
        p.fragments.clear();
        p.loads.clear();
        p.base = null;
        p.alive = false;
        p.engine = null;
    }

    private void cleanStop(Proc p) {
        p.engine.stop();
        // The shell flushes the producer before it leaves.
        while (p.hasSends() || !p.outcomes.isEmpty()) {
            for (ArrayDeque<Send> queue : p.producer.values()) {
                while (!queue.isEmpty()) {
                    Send send = queue.poll();
                    long offset = append(send.entry);
                    p.outcomes.add(() -> p.engine.onSendAcknowledged(send.entry.id(), send.attempt, offset));
                }
            }
            List<Runnable> outcomes = new ArrayList<>(p.outcomes);
            p.outcomes.clear();
            outcomes.forEach(Runnable::run);
        }
        p.engine.endStep();
        appendControl(new ControlRecord.Leave(p.id));
        p.fragments.clear();
        p.loads.clear();
        p.base = null;
        p.alive = false;
        p.engine = null;
    }

    private void poll(Proc p) {
        List<String> ready = p.readPos.keySet().stream()
                .filter(t -> !p.paused.contains(t) && Math.max(p.readPos.get(t), logStart(t)) < logs.get(t).size())
                .toList();
        String topic = ready.get(random.nextInt(ready.size()));
        if (p.readPos.get(topic) < logStart(topic)) {
            // Retention never removes what the receiver still needs (see retention()): reading below the log start
            // would be an out-of-range fetch, a fault this run does not model.
            throw new AssertionError(p.id + " reads " + topic + " at " + p.readPos.get(topic) + ", below its log"
                    + " start " + logStart(topic) + ": retention removed records it had not consumed");
        }
        int batch = 1 + random.nextInt(3);
        for (int i = 0; i < batch && !p.paused.contains(topic) && p.readPos.get(topic) < logs.get(topic).size();
             i++) {
            Rec r = logs.get(topic).get((int) (long) p.readPos.get(topic));
            p.readPos.put(topic, r.offset() + 1);
            if (topic.equals(CONTROL)) {
                p.engine.onControlRecord(r.offset(), r.timestamp(), r.value());
            } else {
                p.engine.onChannelRecord(new InputRecord(topic, r.offset(), r.key(), r.value(), r.timestamp(),
                        r.headers()));
            }
        }
        p.engine.endStep();
    }

    private void tick(Proc p, int millis) throws Exception {
        nanos += millis * 1_000_000L;
        p.engine.tick();
        p.engine.endStep();
    }

    private void resolveSend(Proc p) {
        List<ArrayDeque<Send>> queues = p.producer.values().stream().filter(q -> !q.isEmpty()).toList();
        ArrayDeque<Send> queue = queues.get(random.nextInt(queues.size()));
        Send send = queue.poll();
        int roll = random.nextInt(100);
        if (faults.contains(Fault.SEND_FAILURES) && roll < 4) {
            // Not written; the producer goes on with the next batch (it bumps its epoch).
            p.outcomes.add(() -> p.engine.onSendFailed(send.entry.id(), send.attempt,
                    new TimeoutException("expired in the simulation"), true));
        } else if (faults.contains(Fault.LOST_ACKS) && roll < 7) {
            append(send.entry);
            p.outcomes.add(() -> p.engine.onSendFailed(send.entry.id(), send.attempt,
                    new TimeoutException("written, acknowledgement lost in the simulation"), true));
        } else {
            long offset = append(send.entry);
            p.outcomes.add(() -> p.engine.onSendAcknowledged(send.entry.id(), send.attempt, offset));
        }
    }

    private void deliverOutcome(Proc p) {
        int index = faults.contains(Fault.LATE_OUTCOMES) && p.outcomes.size() > 1 && random.nextInt(5) == 0
                ? 1 + random.nextInt(p.outcomes.size() - 1) : 0;
        p.outcomes.remove(index).run();
        p.engine.endStep();
    }

    private void resolveFragment(Proc p) {
        Long snapshot = p.fragments.keySet().iterator().next();
        p.fragments.remove(snapshot).run();
        p.engine.endStep();
    }

    private void resolveLoad(Proc p) throws Exception {
        long epoch = p.loads.remove(0);
        if (faults.contains(Fault.FRAGMENT_FAILURES) && random.nextInt(6) == 0) {
            p.engine.onRestoreTargetFailed(epoch, new TimeoutException("collection topic unreadable in the simulation"));
        } else {
            ControlRecord.Restore restore = (ControlRecord.Restore) ControlRecord.parse(
                    logs.get(CONTROL).get((int) epoch).value());
            Optional<GlobalSnapshot> found = InMemoryAssembly.find(controlAts(), consumerRecords(FRAGMENTS),
                    restore.snapshot(), epoch);
            if (System.getProperty("kafkasnap.sim.debug") != null) {
                System.out.println("DEBUG lookup " + p.id + " epoch " + epoch + ": " + found.map(g -> g.status() + " "
                        + g.reason() + " " + g.detail() + " members " + g.members()) + " fragments "
                        + consumerRecords(FRAGMENTS).stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)
                        + "@" + r.offset()).toList());
            }
            p.engine.onRestoreTargetLoaded(epoch, target(p, restore.snapshot(), found));
        }
        p.engine.endStep();
    }

    private long logStart(String topic) {
        return logStart.getOrDefault(topic, 0L);
    }

    /**
     * Retention removes the head of a channel, as Kafka's {@code retention.ms}/{@code retention.bytes} would, but only
     * records that (a) the receiver has consumed past durably: its committed position, where a kill brings it back,
     * and its read position if it runs (removing records a receiver has yet to read is data loss Kafka itself causes,
     * no middleware can undo it), and (b) lie before the first record of the newest epoch in the channel, its fence
     * (nothing in epoch 0, which has no fence). Because: a receiver that loses its state directory rebuilds from the
     * latest restore's snapshot and reads the channel again from the log start up to that fence, or from its initial
     * state with the channel's whole history; DESIGN.md ("Restore") has such a node stop with an error when the fence
     * or the head it needs was removed, which is not a run whose invariants this simulation judges.
     */
    private void retention() {
        List<String> channels = logs.keySet().stream().filter(t -> t.startsWith("ch.")).toList();
        String picked = channels.get(random.nextInt(channels.size()));
        Proc sink = procs.stream().filter(p -> p.id.equals(SINK)).findFirst().orElseThrow();
        // A receiver that is down is when retention bites.
        String topic = !sink.alive && pastFenceRandom.nextBoolean() ? sink.in.iterator().next() : picked;
        List<Rec> log = logs.get(topic);
        Proc receiver = procs.stream().filter(p -> p.in.contains(topic)).findFirst().orElseThrow();
        long bound = receiver.store.crash().positions().getOrDefault(topic, 0L);
        if (receiver.alive) {
            bound = Math.min(bound, receiver.readPos.getOrDefault(topic, 0L));
        }
        long newestEpochStart = 0;
        long newestEpoch = -1;
        for (Rec r : log) {
            ChannelHeaders.Sequence seq = ChannelHeaders.sequence(r.headers());
            if (seq != null && seq.epoch() > newestEpoch) {
                newestEpoch = seq.epoch();
                newestEpochStart = r.offset();
            }
        }
        // Now and then past the newest epoch's start: a node that then loses its state must refuse to start.
        boolean pastFence = pastFenceRandom.nextInt(3) == 0;
        if (!pastFence) {
            bound = Math.min(bound, newestEpochStart);
        }
        if (bound <= logStart(topic)) {
            trace.add("  (retention: nothing removable from " + topic + ")");
            return;
        }
        long start = logStart(topic) + 1 + random.nextInt((int) (bound - logStart(topic)));
        trace.add("  (retention: " + topic + " now starts at " + start + (pastFence && start > newestEpochStart
                ? ", past the start of the newest epoch" : "") + ")");
        removedByRetention += start - logStart(topic);
        logStart.put(topic, start);
    }

    private void trigger() {
        appendControl(ControlRecord.Trigger.anyMember());
    }

    /**
     * A restore to a complete snapshot of every process (a non-member's money in flight to it is outside the snapshot,
     * so only such a restore conserves the bank's money), with or without allowNewMembers; or a void one.
     */
    private void restore() {
        if (random.nextInt(8) == 0) {
            // A join record's offset: no snapshot, void at every node (a restore to a snapshot not complete yet is
            // refused by its writer, as the CLI and the library do).
            appendControl(new ControlRecord.Restore(0, false));
            return;
        }
        // Mostly a snapshot of every process; at times one from before a process first joined, which makes it a
        // newcomer: such a restore counts only with allowNewMembers, and then the newcomer starts over from its
        // initial balance while the money it had been sent before the snapshot is outside it, so the run's money
        // can no longer be judged (everything else still is).
        boolean newcomers = random.nextInt(3) == 0;
        ControlHistory history = InMemoryAssembly.history(controlAts());
        List<GlobalSnapshot> complete = assemble().stream()
                .filter(s -> s.status() == GlobalSnapshot.Status.COMPLETE)
                .filter(s -> s.members().size() == procs.size() || newcomers && procs.stream().allMatch(p ->
                        s.members().contains(p.id) || history.firstJoin(p.id).orElse(Long.MAX_VALUE) > s.snapshot()))
                .toList();
        if (complete.isEmpty()) {
            trace.add("  (no complete snapshot of every process to restore yet)");
            return;
        }
        restoresWritten++;
        GlobalSnapshot target = complete.get(random.nextInt(complete.size()));
        boolean allowNewMembers = random.nextBoolean();
        if (target.members().size() < procs.size() && allowNewMembers) {
            moneyUnjudgeable = true;
        }
        appendControl(new ControlRecord.Restore(target.snapshot(), allowNewMembers));
    }

    // ---- the application: a bank ------------------------------------------------------------------------------

    private void initial(io.kafkasnap.api.NodeContext ctx) {
        if (ctx.state().get("balance") == null) {
            ctx.state().put("balance", Long.toString(INITIAL_BALANCE).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void transfer(io.kafkasnap.api.NodeContext ctx) {
        if (!transfers) {
            return;
        }
        long balance = balance(ctx.state().get("balance"));
        if (balance <= 0) {
            return;
        }
        long amount = 1 + balance % 7;
        List<String> out = new ArrayList<>(new TreeSet<>(ctx.outgoingChannels()));
        if (out.isEmpty()) {
            return; // the sink keeps what it gets
        }
        String channel = out.get((int) (balance % out.size()));
        ctx.state().put("balance", Long.toString(balance - amount).getBytes(StandardCharsets.UTF_8));
        ctx.send(channel, null, Long.toString(amount).getBytes(StandardCharsets.UTF_8));
    }

    private void handle(io.kafkasnap.api.NodeContext ctx, IncomingRecord record) {
        ChannelHeaders.Sequence seq = ChannelHeaders.sequence(record.headers());
        byte[] seen = ctx.state().get("seen/" + record.channel());
        if (seen != null && seq != null) {
            String[] last = new String(seen, StandardCharsets.UTF_8).split(":");
            long lastEpoch = Long.parseLong(last[0]);
            long lastSeq = Long.parseLong(last[1]);
            if (seq.epoch() < lastEpoch || (seq.epoch() == lastEpoch && seq.seq() <= lastSeq)) {
                throw new AssertionError(ctx.processId() + " handled " + record.channel() + " (epoch " + seq.epoch()
                        + ", seq " + seq.seq() + ") after (" + lastEpoch + ", " + lastSeq + "): applied twice or out of"
                        + " order");
            }
        }
        // Keys that come and go, so that incremental fragments carry removals as well as changes.
        ctx.state().put("recent/" + record.channel() + "/" + record.offset() % 4, record.value());
        ctx.state().delete("recent/" + record.channel() + "/" + (record.offset() + 2) % 4);
        if (seq != null) {
            ctx.state().put("seen/" + record.channel(),
                    (seq.epoch() + ":" + seq.seq()).getBytes(StandardCharsets.UTF_8));
        }
        long balance = balance(ctx.state().get("balance"));
        ctx.state().put("balance", Long.toString(balance + balance(record.value())).getBytes(StandardCharsets.UTF_8));
    }

    private static long balance(byte[] bytes) {
        return bytes == null ? 0 : Long.parseLong(new String(bytes, StandardCharsets.UTF_8));
    }

    // ---- ports -------------------------------------------------------------------------------------------------

    private NodeEngine.Ports ports(Proc p) {
        ChannelOutput channels = (entry, attempt) ->
                p.producer.computeIfAbsent(entry.channel(), c -> new ArrayDeque<>()).add(new Send(entry, attempt));
        ControlLog control = record -> {
            appendControl(record);
            p.outcomes.add(() -> p.engine.onControlWritten(record));
        };
        FragmentSink fragmentSink = new FragmentSink() {
            @Override
            public void publish(LocalSnapshot local, StateCapture capture, Timeline.OnLoop onLoop,
                                Map<String, long[]> applied) {
                Map<String, byte[]> state = capture.readAll();
                capture.close();
                long readOut = time().millis();
                List<RecordedRecord> recorded = p.store.recorded(local.snapshot());
                boolean fails = faults.contains(Fault.FRAGMENT_FAILURES) && random.nextInt(25) == 0;
                FragmentBase base = p.base != null && p.base.depth() + 1 < p.fullEvery ? p.base : null;
                p.fragments.put(local.snapshot(), () -> {
                    if (fails) {
                        p.engine.onFragmentFailed(local.snapshot(), new TimeoutException("fragment lost"));
                        return;
                    }
                    Fragment full = fragment(p, local, state, recorded, onLoop.captured(), applied);
                    if (base != null) {
                        incrementalFragments++;
                    }
                    published.put(p.id + "@" + local.snapshot(), state);
                    Fragment fragment = (base == null ? full : incremental(full, base, state))
                            .withTimeline(onLoop.then(readOut, time().millis()));
                    List<ProducerRecord<byte[], byte[]>> chunks = Chunks.chunks(FRAGMENTS, fragment, 2_000);
                    long first = logs.get(FRAGMENTS).size();
                    for (ProducerRecord<byte[], byte[]> chunk : chunks) {
                        logs.get(FRAGMENTS).add(new Rec(logs.get(FRAGMENTS).size(), chunk.key(), chunk.value(),
                                chunk.headers(), time().millis()));
                    }
                    if (p.base == null || p.base.offset() < first) {
                        p.base = base == null ? new FragmentBase(local.snapshot(), state, first, first, 0)
                                : new FragmentBase(local.snapshot(), state, first, base.fullOffset(), base.depth() + 1);
                    }
                    p.engine.onFragmentPublished(local.snapshot(), chunks.size());
                });
            }

            @Override
            public void cancel(long snapshot) {
                p.fragments.remove(snapshot);
            }
        };
        SnapshotSource source = restore -> p.loads.add(restore.epoch());
        InputControl input = new InputControl() {
            @Override
            public void pause(String channel) {
                p.paused.add(channel);
            }

            @Override
            public void resume(String channel, long position) {
                p.paused.remove(channel);
                p.readPos.put(channel, position);
            }

            @Override
            public long lag(String channel) {
                return logs.get(channel).size() - Math.max(p.readPos.getOrDefault(channel, 0L), logStart(channel));
            }
        };
        StatusSink status = new StatusSink() {
            @Override
            public void report(long at, long epoch, Map<String, Long> positions, int outbox, Set<Long> inFlight) {
            }

            @Override
            public void tombstone() {
            }
        };
        return new NodeEngine.Ports(channels, control, fragmentSink, source, input, status);
    }

    /** {@code full} as an incremental fragment on {@code base}: only the keys changed or removed since. */
    private static Fragment incremental(Fragment full, FragmentBase base, Map<String, byte[]> state) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> changed = new TreeMap<>();
        state.forEach((k, v) -> {
            if (!java.util.Arrays.equals(v, base.state().get(k))) {
                changed.put(k, ValueCodec.toJson(v));
            }
        });
        List<String> removed = base.state().keySet().stream().filter(k -> !state.containsKey(k)).sorted().toList();
        return Fragment.incremental(full.snapshot(), full.process(), full.recordedAt(),
                new Fragment.Base(base.snapshot(), base.offset(), base.fullOffset()), changed, removed, full.in(),
                full.out());
    }

    private static Fragment fragment(Proc p, LocalSnapshot local, Map<String, byte[]> state,
                                     List<RecordedRecord> recorded, long recordedAt, Map<String, long[]> applied) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> json = new TreeMap<>();
        state.forEach((k, v) -> json.put(k, ValueCodec.toJson(v)));
        Map<String, List<Fragment.Message>> messages = new HashMap<>();
        for (RecordedRecord r : recorded) {
            messages.computeIfAbsent(r.channel(), c -> new ArrayList<>()).add(Fragment.Message.of(r.offset(), r.key(),
                    r.value(), r.headers().stream().<Map.Entry<String, byte[]>>map(h ->
                            new AbstractMap.SimpleImmutableEntry<>(h.key(), h.value())).toList(), r.timestamp()));
        }
        Map<String, Fragment.InChannel> in = new TreeMap<>();
        local.in().forEach((channel, cut) -> {
            long[] last = applied.getOrDefault(channel, new long[] {-1, -1});
            in.put(channel, new Fragment.InChannel(cut.recordedFrom(), cut.markerOffset(),
                    messages.getOrDefault(channel, List.of()), last[0], last[1]));
        });
        Map<String, Fragment.OutChannel> out = new TreeMap<>();
        local.out().forEach((channel, offset) -> out.put(channel, new Fragment.OutChannel(offset)));
        return new Fragment(local.snapshot(), p.id, recordedAt, json, in, out);
    }

    private RestoreTarget target(Proc p, long snapshot, Optional<GlobalSnapshot> found) {
        if (found.isEmpty()) {
            return RestoreTarget.refused(snapshot, "no such snapshot");
        }
        GlobalSnapshot s = found.get();
        switch (s.status()) {
            case COMPLETE -> {
            }
            case FAILED, INCONSISTENT -> {
                return RestoreTarget.refused(snapshot, "the snapshot is " + s.status().wire());
            }
            default -> {
                return RestoreTarget.notYet(snapshot, "the snapshot is " + s.status().wire());
            }
        }
        Map<String, byte[]> state = new HashMap<>();
        s.process(p.id).ifPresent(ps -> ps.state().forEach((k, v) -> state.put(k, ValueCodec.fromJson(v))));
        Map<String, List<IncomingRecord>> recorded = new HashMap<>();
        s.channels().forEach((channel, cs) -> {
            if (p.id.equals(cs.to()) && p.in.contains(channel)) {
                List<IncomingRecord> messages = new ArrayList<>();
                for (Fragment.Message m : cs.messages()) {
                    RecordHeaders headers = new RecordHeaders();
                    m.headerBytes().forEach(h -> headers.add(h.getKey(), h.getValue()));
                    messages.add(new IncomingRecord(channel, m.offset(), m.keyBytes(), m.valueBytes(), m.timestamp(),
                            headers));
                }
                recorded.put(channel, messages);
            }
        });
        return RestoreTarget.restorable(snapshot, Set.copyOf(s.members()), state, recorded);
    }

    // ---- logs --------------------------------------------------------------------------------------------------

    private long append(OutboxEntry entry) {
        List<Rec> log = logs.get(entry.channel());
        long offset = log.size();
        log.add(new Rec(offset, entry.key(), entry.value(),
                ChannelHeaders.of(entry.epoch(), entry.seq(), entry.marker(), entry.fence()), time().millis()));
        return offset;
    }

    private long appendControl(ControlRecord record) {
        List<Rec> log = logs.get(CONTROL);
        long offset = log.size();
        log.add(new Rec(offset, null, record.toJson(), new RecordHeaders(), time().millis()));
        return offset;
    }

    private List<InMemoryAssembly.ControlAt> controlAts() {
        return logs.get(CONTROL).stream().map(r -> new InMemoryAssembly.ControlAt(r.offset(), r.timestamp(),
                r.value())).toList();
    }

    private List<ConsumerRecord<byte[], byte[]>> consumerRecords(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (Rec r : logs.get(topic)) {
            ConsumerRecord<byte[], byte[]> c = new ConsumerRecord<>(topic, 0, r.offset(), r.timestamp(),
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, -1, -1, r.key(), r.value(), r.headers(),
                    Optional.empty());
            records.add(c);
        }
        return records;
    }

    private ChannelLog channelLog() {
        return (topic, from, to) -> {
            List<ChannelRecord> records = new ArrayList<>();
            for (Rec r : logs.get(topic)) {
                if (r.offset() >= from && r.offset() < to) {
                    ChannelHeaders.Sequence seq = ChannelHeaders.sequence(r.headers());
                    records.add(new ChannelRecord(r.offset(), r.key(), r.value(), Markers.isMarker(r.headers()),
                            seq == null ? -1 : seq.epoch(), seq == null ? -1 : seq.seq(),
                            ChannelHeaders.isFence(r.headers())));
                }
            }
            return records;
        };
    }

    List<GlobalSnapshot> assemble() {
        return InMemoryAssembly.assembleAll(controlAts(), consumerRecords(FRAGMENTS), channelLog());
    }

    // ---- invariants --------------------------------------------------------------------------------------------

    /** After every event: epochs never go down at a process (whose state directory survives). */
    void checkInvariants() {
        for (Proc p : procs) {
            long epoch = p.store.crash().epoch();
            if (p.lostState) {
                p.lostState = false;
                p.lastEpoch = epoch;
            }
            if (epoch < p.lastEpoch) {
                throw new AssertionError(p.id + "'s committed epoch went down from " + p.lastEpoch + " to " + epoch);
            }
            p.lastEpoch = epoch;
        }
    }

    /**
     * Stops the transfers, restarts whatever is down, lets every send, outcome, poll and fragment happen and time pass
     * the snapshot timeout, then checks: the bank's money is all there, nothing is held or unsent, and every snapshot
     * ended complete and consistent (with all the money), or failed or timed out naming why, and none is left in flight.
     */
    void quiesceAndJudge() {
        transfers = false;
        for (Proc p : procs) {
            if (!p.alive) {
                step("restart " + p.id + " (settling)", () -> start(p));
            }
        }
        List<Proc> refused = procs.stream().filter(p -> !p.alive).toList();
        if (!refused.isEmpty()) {
            // What the refusal tells the operator to do: restore a snapshot that has the process as a member.
            Optional<GlobalSnapshot> latest = assemble().stream()
                    .filter(s -> s.status() == GlobalSnapshot.Status.COMPLETE && s.members().size() == procs.size())
                    .reduce((a, b) -> b);
            if (latest.isEmpty()) {
                throw new SimFailure(events, refused.get(0).id + " refused to start and no complete snapshot of"
                        + " every process exists to restore", null);
            }
            step("restore to " + latest.get().snapshot() + " (settling: " + refused.stream().map(p -> p.id).toList()
                    + " refused to start)", () -> appendControl(new ControlRecord.Restore(latest.get().snapshot(),
                    false)));
            for (Proc p : refused) {
                step("restart " + p.id + " (settling, after the restore)", () -> start(p));
                if (!p.alive) {
                    throw new SimFailure(events, p.id + " still refuses to start after a restore of snapshot "
                            + latest.get().snapshot() + ", of which it is a member", null);
                }
            }
        }
        if (procs.stream().anyMatch(p -> p.engine.isAwaitingRestore())) {
            Optional<GlobalSnapshot> latest = assemble().stream()
                    .filter(s -> s.status() == GlobalSnapshot.Status.COMPLETE && s.members().size() == procs.size())
                    .reduce((a, b) -> b);
            if (latest.isEmpty()) {
                throw new SimFailure(events, "a process lost its state after a snapshot of every process was"
                        + " complete, and now none is", null);
            }
            step("restore to " + latest.get().snapshot() + " (settling: a process lost its state)",
                    () -> appendControl(new ControlRecord.Restore(latest.get().snapshot(), false)));
        }
        Set<Fault> saved = EnumSet.copyOf(faults.isEmpty() ? EnumSet.of(Fault.KILLS) : faults);
        faults.clear();
        long settleUntil = nanos + 4 * SNAPSHOT_TIMEOUT_MS * 1_000_000L;
        int guard = 0;
        while (guard++ < 200_000) {
            Optional<Proc> busy = procs.stream().filter(Proc::busy).findFirst();
            if (busy.isPresent()) {
                Proc p = busy.get();
                if (!p.outcomes.isEmpty()) {
                    step("outcome to " + p.id + " (settling)", () -> deliverOutcome(p));
                } else if (p.hasSends()) {
                    step("producer of " + p.id + " (settling)", () -> resolveSend(p));
                } else if (!p.fragments.isEmpty()) {
                    step("fragment of " + p.id + " (settling)", () -> resolveFragment(p));
                } else if (!p.loads.isEmpty()) {
                    step("restore lookup of " + p.id + " (settling)", () -> resolveLoad(p));
                } else {
                    step("poll " + p.id + " (settling)", () -> poll(p));
                }
            } else if (nanos < settleUntil) {
                for (Proc p : procs) {
                    step("tick " + p.id + " (settling)", () -> tick(p, 100));
                }
            } else {
                break;
            }
        }
        faults.addAll(saved);
        for (Proc p : procs) {
            if (!p.engine.heldChannels().isEmpty()) {
                throw new SimFailure(events, p.id + " still holds " + p.engine.heldChannels() + " after settling", null);
            }
            if (p.engine.isAwaitingRestore()) {
                throw new SimFailure(events, p.id + " still waits for a restore after settling", null);
            }
            if (!p.engine.pendingRestores().isEmpty()) {
                throw new SimFailure(events, p.id + " never applied the restore(s) " + p.engine.pendingRestores(),
                        null);
            }
            if (!p.engine.inFlight().isEmpty()) {
                throw new SimFailure(events, p.id + " still has snapshots " + p.engine.inFlight() + " in flight"
                        + " long after their timeout", null);
            }
            if (p.engine.outboxDepth() != 0 || !p.store.outbox().isEmpty()) {
                throw new SimFailure(events, p.id + " still has " + p.store.outbox().size() + " outbox entries", null);
            }
        }
        long total = 0;
        for (Proc p : procs) {
            total += balance(p.store.get("balance"));
        }
        if (!moneyUnjudgeable && total != INITIAL_BALANCE * procs.size()) {
            throw new SimFailure(events, "the bank holds " + total + " after settling, not "
                    + INITIAL_BALANCE * procs.size() + " (money lost or made)\n" + describe(), null);
        }
        checkAbortsOfSnapshotsMissedByARestart();
        ControlHistory history = InMemoryAssembly.history(controlAts());
        long highestEpoch = history.latestRestore().map(ControlHistory.RestoreVerdict::epoch).orElse(0L);
        for (Proc p : procs) {
            if (p.engine.epoch() != highestEpoch && history.latestRestore().isPresent()) {
                // Every process is in the epoch of the latest restore that counts, unless its snapshot was refused.
                long epoch = p.engine.epoch();
                boolean refusedLatest = procs.stream().allMatch(o -> o.engine.epoch() == epoch);
                if (!refusedLatest) {
                    throw new SimFailure(events, "the processes are in different epochs after settling: "
                            + procs.stream().map(o -> o.id + "=" + o.engine.epoch()).toList(), null);
                }
            }
        }
        for (GlobalSnapshot s : assemble()) {
            switch (s.status()) {
                case COMPLETE -> {
                    if (!s.consistency().violations().isEmpty()) {
                        throw new SimFailure(events, "snapshot " + s.snapshot() + " is complete but breaks "
                                + s.consistency().violations(), null);
                    }
                    for (Map.Entry<String, GlobalSnapshot.ProcessState> ps : s.processes().entrySet()) {
                        Map<String, byte[]> captured = published.get(ps.getKey() + "@" + s.snapshot());
                        Map<String, com.fasterxml.jackson.databind.JsonNode> expected = new TreeMap<>();
                        if (captured != null) {
                            captured.forEach((k, v) -> expected.put(k, ValueCodec.toJson(v)));
                        }
                        if (captured == null || !expected.equals(ps.getValue().state())) {
                            throw new SimFailure(events, "snapshot " + s.snapshot() + ": the state of " + ps.getKey()
                                    + " assembled along its fragments' chain is " + ps.getValue().state()
                                    + ", but it captured " + expected, null);
                        }
                        Timeline timeline = ps.getValue().timeline();
                        if (timeline == null || !timeline.isOrdered()
                                || timeline.captured() != ps.getValue().recordedAt()) {
                            throw new SimFailure(events, "snapshot " + s.snapshot() + ": the fragment of "
                                    + ps.getKey() + " has no ordered timeline: " + timeline, null);
                        }
                    }
                    if (s.members().size() == procs.size() && !moneyUnjudgeable) {
                        long money = 0;
                        for (GlobalSnapshot.ProcessState ps : s.processes().values()) {
                            money += balance(ValueCodec.fromJson(ps.state().get("balance")));
                        }
                        for (GlobalSnapshot.ChannelState cs : s.channels().values()) {
                            for (Fragment.Message m : cs.messages()) {
                                money += balance(m.valueBytes());
                            }
                        }
                        if (money != INITIAL_BALANCE * procs.size()) {
                            throw new SimFailure(events, "snapshot " + s.snapshot() + " holds " + money
                                    + " (states and channels), not " + INITIAL_BALANCE * procs.size(), null);
                        }
                    }
                }
                case FAILED, TIMED_OUT -> {
                    // Ended with a reason: an abort, or the members that never published named.
                }
                default -> throw new SimFailure(events, "snapshot " + s.snapshot() + " ended " + s.status().wire()
                        + ": " + s.reason() + " " + s.detail(), null);
            }
        }
    }

    /**
     * A node that aborts a snapshot because a marker of it arrived after a restart (it had read the trigger before)
     * must really have restarted in between: it joined again after the trigger and before the abort. Otherwise it
     * threw away a snapshot it could have taken part in.
     */
    private void checkAbortsOfSnapshotsMissedByARestart() {
        List<Rec> control = logs.get(CONTROL);
        for (Rec r : control) {
            if (parseControl(r) instanceof ControlRecord.Abort abort
                    && abort.detail() != null && abort.detail().contains("before recording its state for it")) {
                boolean rejoined = control.stream().anyMatch(j -> j.offset() > abort.snapshot()
                        && j.offset() < r.offset() && parseControl(j) instanceof ControlRecord.Join join
                        && join.process().equals(abort.process()));
                if (!rejoined) {
                    throw new SimFailure(events, abort.process() + " aborted snapshot " + abort.snapshot() + " at"
                            + " control offset " + r.offset() + " as missed by a restart, but it did not start"
                            + " again after the trigger: " + abort.detail(), null);
                }
            }
        }
    }

    private static ControlRecord parseControl(Rec r) {
        try {
            return ControlRecord.parse(r.value());
        } catch (io.kafkasnap.format.MalformedControlRecordException e) {
            throw new AssertionError("the simulation wrote a malformed control record at " + r.offset(), e);
        }
    }

    /** Each process's balance and last applied sequences, and each channel's records. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (Proc p : procs) {
            b.append(p.id).append(": balance ").append(balance(p.store.get("balance"))).append(", epoch ")
                    .append(p.engine == null ? "down" : p.engine.epoch()).append(", applied ");
            p.store.applied().forEach((c, last) -> b.append(c).append("=(").append(last[0]).append(',')
                    .append(last[1]).append(") "));
            b.append('\n');
        }
        logs.forEach((topic, log) -> {
            if (topic.startsWith("ch.")) {
                b.append(topic).append(':');
                for (Rec r : log) {
                    ChannelHeaders.Sequence seq = ChannelHeaders.sequence(r.headers());
                    b.append(' ').append(r.offset()).append("@(").append(seq == null ? "-" : seq.epoch() + ","
                            + seq.seq()).append(')');
                    if (Markers.isMarker(r.headers())) {
                        b.append('M').append(Markers.snapshotOf(r.headers()));
                    } else if (ChannelHeaders.isFence(r.headers())) {
                        b.append('F');
                    } else {
                        b.append('$').append(balance(r.value()));
                    }
                }
                b.append('\n');
            }
        });
        return b.toString();
    }

    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        List<GlobalSnapshot> all = assemble();
        summary.put("events", events);
        summary.put("snapshots", all.size());
        summary.put("complete", all.stream().filter(s -> s.status() == GlobalSnapshot.Status.COMPLETE).count());
        summary.put("incremental", incrementalFragments);
        summary.put("epochs", procs.stream().map(p -> p.engine == null ? -1 : p.engine.epoch()).toList());
        summary.put("restores", restoresWritten);
        summary.put("removedByRetention", removedByRetention);
        summary.put("refusals", refusals);
        summary.put("aligned", (long) meters.find("kafkasnap.snapshots.aligned").counters().stream()
                .mapToDouble(c -> c.count()).sum());
        summary.put("held", (long) meters.find("kafkasnap.channels.held").counters().stream()
                .mapToDouble(c -> c.count()).sum());
        Map<String, Integer> reasons = new TreeMap<>();
        all.forEach(g -> reasons.merge(g.status().wire() + (g.reason() == null ? "" : "/" + g.reason()), 1,
                Integer::sum));
        summary.put("outcomes", reasons);
        return summary;
    }

    static Supplier<String> describe(Headers headers) {
        return () -> {
            StringBuilder b = new StringBuilder();
            for (Header h : headers) {
                b.append(h.key()).append('=').append(h.value() == null ? "null"
                        : new String(h.value(), StandardCharsets.UTF_8)).append(' ');
            }
            return b.toString();
        };
    }
}
