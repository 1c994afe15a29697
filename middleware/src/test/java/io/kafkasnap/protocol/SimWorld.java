package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An in-memory network of FIFO channel logs driving one real {@link SnapshotProtocol} per process.
 *
 * <p>Each process holds a token count as its application state. The harness's {@link Controller} does what the
 * runtime does: it captures the token count on {@code recordLocalState}, appends a marker to every outgoing log
 * on {@code sendMarkers} (the log's offset comes back as an ack), and remembers the records kept as channel
 * state. Everything the checks need is observed here, and every rule is checked the moment it can be: records
 * kept when they are processed, fragments when they complete, a snapshot when its last fragment completes, and
 * the running system's invariants after every step.
 */
final class SimWorld {

    /** Tokens each process starts with; enough that the send budget, not poverty, bounds the traffic. */
    static final int MAX_TOKENS_PER_PROCESS = 4;

    private final SimScenario scenario;
    private final SimTopology topology;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<LogEntry>> logs = new LinkedHashMap<>();
    private final List<SnapshotPlan> control = new ArrayList<>();
    private final Map<SimEvent.Ack, Long> pendingAcks = new LinkedHashMap<>();
    private final Set<SimEvent.ReadOut> pendingReadouts = new LinkedHashSet<>();
    private final Map<Long, Map<String, Observed>> observed = new TreeMap<>();
    private final Set<Long> completeEverywhere = new TreeSet<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> narration = new ArrayList<>();
    private final boolean narrate;
    private final int totalTokens;
    /** The shared budget ({@link SimScenario.Budget#SHARED}); under a split one each node has its own. */
    private int sendsLeft;
    /** Under a split budget, whether the first step has split it yet. */
    private boolean budgetSplit;
    private Delivery delivering;
    /** Callbacks answered at the end of the current step ({@link Callback#END_OF_STEP}), in order. */
    private final List<SimEvent> endOfStep = new ArrayList<>();

    /** The app record a process is handling right now: the only one it may keep as channel state. */
    private record Delivery(String process, String channel, long offset) {
    }

    SimWorld(SimScenario scenario, boolean narrate) {
        this.scenario = scenario;
        this.topology = scenario.topology();
        this.narrate = narrate;
        this.sendsLeft = scenario.appMessages();
        int tokensEach = Math.min(scenario.appMessages(), MAX_TOKENS_PER_PROCESS);
        this.totalTokens = tokensEach * topology.processes().size();
        for (SimTopology.Channel channel : topology.channels()) {
            logs.put(channel.name(), new ArrayList<>());
        }
        for (String process : topology.processes()) {
            nodes.put(process, new Node(process, tokensEach));
        }
    }

    /** A copy of a world at rest, without narration, see copy(). */
    private SimWorld(SimWorld original) {
        this.scenario = original.scenario;
        this.topology = original.topology;
        this.narrate = false;
        this.totalTokens = original.totalTokens;
        this.sendsLeft = original.sendsLeft;
        this.budgetSplit = original.budgetSplit;
        original.logs.forEach((channel, log) -> logs.put(channel, new ArrayList<>(log)));
        control.addAll(original.control);
        pendingAcks.putAll(original.pendingAcks);
        pendingReadouts.addAll(original.pendingReadouts);
        completeEverywhere.addAll(original.completeEverywhere);
        violations.addAll(original.violations);
        original.observed.forEach((snapshot, byProcess) -> {
            Map<String, Observed> copies = new TreeMap<>();
            byProcess.forEach((process, seen) -> copies.put(process, seen.copy()));
            observed.put(snapshot, copies);
        });
        original.nodes.values().forEach(node -> nodes.put(node.name, new Node(node)));
    }

    /**
     * A world in the same state to branch from, so that backtracking need not replay the path. Only for the
     * faithful harness: a broken variant's decorators hold state of their own, so those worlds are replayed.
     */
    SimWorld copy() {
        require(scenario.mutation() == Mutation.NONE, () -> "only the faithful harness is copied; replay " + scenario);
        return new SimWorld(this);
    }

    static SimWorld replay(SimScenario scenario, List<SimEvent> path, boolean narrate) {
        SimWorld world = new SimWorld(scenario, narrate);
        for (SimEvent event : path) {
            world.apply(event);
        }
        return world;
    }

    /** Every step possible now, in a fixed order so that exploration and replay are deterministic. */
    List<SimEvent> enabled() {
        List<SimEvent> events = new ArrayList<>();
        if (isSplit() && !budgetSplit) {
            splits(sendingChannels(), 0, scenario.appMessages(), new TreeMap<>(), events);
            return events;
        }
        // Sends first: depth first, app traffic then comes early, where broken variants show soonest.
        for (Node node : nodes.values()) {
            if (sendsLeft(node) > 0 && node.tokens > 0) {
                for (SimTopology.Channel channel : topology.outgoing(node.name)) {
                    if (!isSplit() || node.channelBudget.get(channel.name()) > 0) {
                        events.add(new SimEvent.Send(node.name, channel.name()));
                    }
                }
            }
        }
        if (control.size() < scenario.snapshots().size()) {
            events.add(new SimEvent.IssueTrigger(scenario.snapshots().get(control.size()).id()));
        }
        for (Node node : nodes.values()) {
            int next = node.nextTrigger();
            if (next >= 0) {
                events.add(new SimEvent.Trigger(node.name, control.get(next).id()));
            }
            for (SimTopology.Channel channel : topology.incoming(node.name)) {
                // A held channel gives nothing until the core releases it: that is what holding means.
                if (node.consumed.get(channel.name()) < logs.get(channel.name()).size()
                        && !node.held.contains(channel.name())) {
                    events.add(new SimEvent.Deliver(node.name, channel.name()));
                }
            }
            // The timeout or the lag rule may end an alignment at any moment.
            for (long snapshot : new TreeSet<>(node.core.aligning())) {
                events.add(new SimEvent.CaptureNow(node.name, snapshot));
            }
        }
        // Callbacks answered inside a call or at the end of a step are never pending between steps.
        events.addAll(pendingReadouts);
        events.addAll(pendingAcks.keySet());
        return events;
    }

    /** The reduction of {@link PersistentSets}: structural, for every variant. */
    List<SimEvent> persistentSet() {
        List<SimEvent> events = enabled();
        require(isSplit(), () -> "the reduction needs a split budget: shared, sends of different processes conflict");
        if (!budgetSplit || events.size() <= 1) {
            return events;
        }
        return new PersistentSets(this).reduce(events);
    }

    /** The reduction of {@link StubbornSets}: finer than {@link #persistentSet()}; see its assumptions there. */
    List<SimEvent> stubbornSet() {
        List<SimEvent> events = enabled();
        require(isSplit() && scenario.mutation().meetsStubbornSetAssumptions(),
                () -> "stubborn sets need a split budget and a harness that meets their assumptions: " + scenario);
        if (!budgetSplit || events.size() <= 1) {
            return events;
        }
        return new StubbornSets(this).reduce(events);
    }

    // Read-only views for the reductions.

    SimScenario scenario() {
        return scenario;
    }

    SimTopology topology() {
        return topology;
    }

    /** The snapshots {@code process} has captured its state for. */
    Set<Long> captured(String process) {
        return java.util.Collections.unmodifiableSet(nodes.get(process).captured);
    }

    /** The records of {@code channel} its receiver has not consumed yet, oldest first. */
    List<LogEntry> unconsumed(String channel) {
        List<LogEntry> log = logs.get(channel);
        long from = nodes.get(topology.channel(channel).to()).consumed.get(channel);
        return java.util.Collections.unmodifiableList(log.subList((int) from, log.size()));
    }

    /** App messages the sender of {@code channel} may still send on it (split budget). */
    int shareLeft(String channel) {
        return nodes.get(topology.channel(channel).from()).channelBudget.getOrDefault(channel, 0);
    }

    /** The planned snapshots whose trigger names {@code process} and that it has not read yet, written or not. */
    List<SnapshotPlan> triggersStillToRead(String process) {
        Node node = nodes.get(process);
        List<SnapshotPlan> plans = scenario.snapshots();
        return plans.subList(node.controlPosition, plans.size()).stream().filter(p -> p.triggers(process)).toList();
    }

    /** Whether a trigger naming {@code process} is on the control topic and not read by it yet. */
    boolean hasTriggerToRead(String process) {
        return nodes.get(process).nextTrigger() >= 0;
    }

    /** App messages {@code process} may still send, on all its channels (or all processes, shared budget). */
    int sendsLeft(String process) {
        return sendsLeft(nodes.get(process));
    }

    /** Whether a trigger naming {@code process} is still to be written to the control topic. */
    boolean triggerStillToWrite(String process) {
        List<SnapshotPlan> plans = scenario.snapshots();
        return plans.subList(control.size(), plans.size()).stream().anyMatch(p -> p.triggers(process));
    }

    private boolean isSplit() {
        return scenario.budget() == SimScenario.Budget.SPLIT;
    }

    private int sendsLeft(Node node) {
        return isSplit() ? node.sendsLeft : sendsLeft;
    }

    /** Every channel, by name: each gets its own share of a split budget. */
    private List<String> sendingChannels() {
        return topology.channels().stream().map(SimTopology.Channel::name).toList();
    }

    /** Every way to split {@code left} messages over the channels {@code senders[from..]}, in a fixed order. */
    private static void splits(List<String> senders, int from, int left, TreeMap<String, Integer> chosen,
                               List<SimEvent> into) {
        if (from == senders.size() - 1) {
            chosen.put(senders.get(from), left);
            into.add(new SimEvent.SplitBudget(chosen));
            chosen.remove(senders.get(from));
            return;
        }
        for (int count = left; count >= 0; count--) {
            chosen.put(senders.get(from), count);
            splits(senders, from + 1, left - count, chosen, into);
            chosen.remove(senders.get(from));
        }
    }

    void apply(SimEvent event) {
        if (narrate) {
            narration.add(event.toString());
        }
        if (event instanceof SimEvent.SplitBudget split) {
            require(isSplit() && !budgetSplit, () -> "the budget is not to be split now");
            budgetSplit = true;
            for (Node node : nodes.values()) {
                node.sendsLeft = 0;
                for (SimTopology.Channel channel : topology.outgoing(node.name)) {
                    int share = split.sends().getOrDefault(channel.name(), 0);
                    node.channelBudget.put(channel.name(), share);
                    node.sendsLeft += share;
                }
                if (node.sendsLeft == 0) {
                    node.outbox.endOfAppTraffic();
                }
            }
        } else if (event instanceof SimEvent.Send send) {
            send(send);
        } else if (event instanceof SimEvent.IssueTrigger issue) {
            SnapshotPlan plan = scenario.snapshots().get(control.size());
            require(plan.id() == issue.snapshot(), () -> "trigger " + issue + " is not the next planned one");
            control.add(plan);
        } else if (event instanceof SimEvent.Trigger trigger) {
            readTrigger(trigger);
        } else if (event instanceof SimEvent.Deliver deliver) {
            deliver(deliver);
        } else if (event instanceof SimEvent.CaptureNow captureNow) {
            Node node = nodes.get(captureNow.process());
            require(node.core.aligning().contains(captureNow.snapshot()), () -> captureNow + ": it is not aligning");
            node.inputs.captureNow(captureNow.snapshot());
        } else {
            answer(event);
        }
        while (!endOfStep.isEmpty()) {
            SimEvent callback = endOfStep.remove(0);
            say("  then " + callback);
            answer(callback);
        }
        checkRunningSystem(event.process());
    }

    /** The first rule broken so far, if any. */
    Optional<String> violation() {
        return violations.stream().findFirst();
    }

    /**
     * In a state where nothing can happen any more: the checks of every snapshot complete everywhere hold against
     * the final logs, and every snapshot completed at every process its initiators
     * reach (all of them for the broadcast trigger) whose senders they all reach too, and no process recorded
     * it that they do not reach. On a graph that is not strongly connected a named initiator can leave a process
     * recorded but waiting for a marker that never comes; that is the protocol, and why the broadcast exists.
     */
    Optional<String> terminationViolation() {
        for (Node node : nodes.values()) {
            if (!node.held.isEmpty() || !node.core.aligning().isEmpty()) {
                return Optional.of("termination: nothing can happen any more, but " + node.name + " holds "
                        + node.held + " and aligns for " + node.core.aligning());
            }
            for (SimTopology.Channel channel : topology.incoming(node.name)) {
                if (node.core.isHeld(channel.name())) {
                    return Optional.of("termination: " + node.name + "'s core still holds " + channel.name());
                }
            }
        }
        for (SnapshotPlan plan : scenario.snapshots()) {
            Set<String> reached = plan.isBroadcast() ? Set.copyOf(topology.processes())
                    : topology.reachableFrom(plan.initiators());
            Map<String, Observed> byProcess = observed.getOrDefault(plan.id(), Map.of());
            for (Node node : nodes.values()) {
                Observed seen = byProcess.get(node.name);
                boolean recorded = seen != null && seen.captured();
                // A process completes once every incoming channel delivered its marker: its senders must record too.
                boolean canComplete = reached.contains(node.name) && topology.incoming(node.name).stream()
                        .allMatch(channel -> reached.contains(channel.from()));
                if (reached.contains(node.name) && !canComplete && seen != null && seen.fragment != null) {
                    return Optional.of("S" + plan.id() + ": " + node.name + " completed although a sender to it never"
                            + " records, so its marker cannot have arrived");
                }
                if (canComplete && (seen == null || seen.fragment == null)) {
                    return Optional.of("termination: nothing can happen any more, but S" + plan.id()
                            + " never completed at " + node.name + (recorded ? " (it recorded its state)" : "")
                            + "; the core still has in flight " + node.core.inFlight());
                }
                if (!reached.contains(node.name) && recorded) {
                    return Optional.of("S" + plan.id() + ": " + node.name + " recorded although no initiator reaches it");
                }
            }
        }
        // The snapshot checks once more, against the final logs: when the last fragment completed, later records
        // were not in the logs yet, and which records those are depends on the interleaving. Now it does not.
        for (Map.Entry<Long, Map<String, Observed>> entry : observed.entrySet()) {
            Map<String, Observed> byProcess = entry.getValue();
            if (topology.processes().stream().allMatch(p -> byProcess.containsKey(p) && byProcess.get(p).fragment != null)) {
                List<String> found = SnapshotChecks.check(entry.getKey(), topology, byProcess, logs, totalTokens);
                if (!found.isEmpty()) {
                    return Optional.of("at the end, against the final logs: " + found.get(0));
                }
            }
        }
        return Optional.empty();
    }

    Set<Long> snapshotsCompleteEverywhere() {
        return Set.copyOf(completeEverywhere);
    }

    List<String> narration() {
        return List.copyOf(narration);
    }

    /**
     * A 64-bit hash of the whole state: the core's internals, the logs, the harness's pending steps and what it
     * observed ({@link StateHash}).
     */
    long fingerprint() {
        return fingerprint(true);
    }

    /**
     * The same without the budget still to spend, to compare where a shared and a split budget end up (in a
     * state where nothing can happen any more the budget is spent, so the rest is the whole state).
     */
    long fingerprint(boolean withBudget) {
        StateHash hash = new StateHash();
        if (withBudget) {
            hash.add(sendsLeft).add(budgetSplit);
        }
        hash.add(control.size());
        for (Node node : nodes.values()) {
            hash.tag('n').add(node.name).add(node.tokens).addOrdered(node.consumed.values())
                    .add(node.controlPosition).addOrdered(node.captured).tag('h').addOrdered(node.held);
            if (withBudget) {
                hash.add(node.sendsLeft).addOrdered(node.channelBudget.values());
            }
            CoreInternals.hash(hash, node.core);
            hash.add(node.inputs.decoratorState()).add(node.outbox.decoratorState());
        }
        logs.values().forEach(log -> {
            hash.tag('l').add(log.size());
            for (LogEntry entry : log) {
                if (entry instanceof LogEntry.App app) {
                    hash.tag('a').add(app.tokens()).addOrdered(app.sentAfterRecording());
                } else {
                    hash.tag('m').add(((LogEntry.Marker) entry).snapshot());
                }
            }
        });
        long acks = 0;
        for (SimEvent.Ack ack : pendingAcks.keySet()) {
            acks += new StateHash().add(ack.process()).add(ack.snapshot()).add(ack.channel()).value();
        }
        hash.tag('k').add(pendingAcks.size()).add(acks);
        long readouts = 0;
        for (SimEvent.ReadOut readOut : pendingReadouts) {
            readouts += new StateHash().add(readOut.process()).add(readOut.snapshot()).value();
        }
        hash.tag('r').add(pendingReadouts.size()).add(readouts);
        observed.forEach((snapshot, byProcess) -> byProcess.forEach((process, seen) -> {
            hash.tag('o').add(snapshot).add(process);
            seen.hash(hash);
        }));
        return hash.value();
    }

    private void send(SimEvent.Send send) {
        Node node = nodes.get(send.process());
        require(sendsLeft(node) > 0 && node.tokens > 0, () -> send + " is not possible now");
        node.tokens--;
        node.outbox.append(send.channel(), new LogEntry.App(1, List.copyOf(node.captured)));
        if (isSplit()) {
            int share = node.channelBudget.get(send.channel());
            require(share > 0, () -> send + ": no budget left for the channel");
            node.channelBudget.put(send.channel(), share - 1);
            if (--node.sendsLeft == 0) {
                node.outbox.endOfAppTraffic();
            }
        } else if (--sendsLeft == 0) {
            nodes.values().forEach(n -> n.outbox.endOfAppTraffic());
        }
    }

    private void readTrigger(SimEvent.Trigger trigger) {
        Node node = nodes.get(trigger.process());
        int index = node.nextTrigger();
        require(index >= 0 && control.get(index).id() == trigger.snapshot(), () -> trigger + " is not the next one");
        node.controlPosition = index + 1;
        SnapshotPlan plan = control.get(index);
        node.inputs.onTrigger(plan.id(), plan.isBroadcast() ? null : node.name);
    }

    private void deliver(SimEvent.Deliver deliver) {
        Node node = nodes.get(deliver.process());
        String channel = deliver.channel();
        long offset = node.consumed.get(channel);
        LogEntry entry = logs.get(channel).get((int) offset);
        say("  " + channel + "@" + offset + " is " + entry);
        if (node.held.contains(channel)) {
            violate(node.name + " was given " + channel + "@" + offset + " while the channel is held");
        }
        // The consumer position moves after the core saw the record: while the core handles it, it is unprocessed.
        if (entry instanceof LogEntry.Marker marker) {
            node.inputs.onMarker(channel, offset, marker.snapshot());
        } else {
            LogEntry.App app = (LogEntry.App) entry;
            delivering = new Delivery(node.name, channel, offset);
            node.inputs.onAppRecord(channel, offset);
            delivering = null;
            node.tokens += app.tokens();
        }
        node.consumed.put(channel, offset + 1);
    }

    /** Hands a pending readout or ack to the core. */
    private void answer(SimEvent callback) {
        if (callback instanceof SimEvent.ReadOut readOut) {
            require(pendingReadouts.remove(readOut), () -> readOut + " is not pending");
            nodes.get(readOut.process()).inputs.onLocalStateRecorded(readOut.snapshot());
        } else {
            SimEvent.Ack ack = (SimEvent.Ack) callback;
            Long offset = pendingAcks.remove(ack);
            require(offset != null, () -> ack + " is not pending");
            nodes.get(ack.process()).inputs.onMarkerSent(ack.snapshot(), ack.channel(), offset);
        }
    }

    /** A readout or ack is now owed; when it is answered depends on the scenario. */
    private void owe(SimEvent callback, Callback when) {
        switch (when) {
            case INSIDE_CALL -> answer(callback);
            case END_OF_STEP -> endOfStep.add(callback);
            case OWN_STEP -> { }
        }
    }

    private void appendToLog(String sender, String channel, LogEntry entry) {
        List<LogEntry> log = logs.get(channel);
        log.add(entry);
        long offset = log.size() - 1;
        say("  " + channel + "@" + offset + " <- " + entry);
        if (entry instanceof LogEntry.Marker marker) {
            SimEvent.Ack ack = new SimEvent.Ack(sender, marker.snapshot(), channel);
            pendingAcks.put(ack, offset);
            owe(ack, scenario.acks());
        }
    }

    /** Invariants of the running system, after every step; cheap enough for the 200-node simulation. */
    private void checkRunningSystem(String touched) {
        int tokens = 0;
        for (Node node : nodes.values()) {
            tokens += node.tokens;
        }
        for (SimTopology.Channel channel : topology.channels()) {
            List<LogEntry> log = logs.get(channel.name());
            for (long offset = nodes.get(channel.to()).consumed.get(channel.name()); offset < log.size(); offset++) {
                if (log.get((int) offset) instanceof LogEntry.App app) {
                    tokens += app.tokens();
                }
            }
        }
        if (tokens != totalTokens) {
            violate("the running system holds " + tokens + " tokens instead of " + totalTokens);
        }
        Node node = nodes.get(touched);
        if (node != null) {
            if (!node.core.positions().equals(node.consumed)) {
                violate(node.name + ": the core's positions " + node.core.positions() + " differ from the consumer's "
                        + node.consumed);
            }
            Set<Long> recording = new TreeSet<>(node.core.inFlight());
            recording.removeAll(node.core.aligning());
            if (!node.captured.containsAll(recording)) {
                violate(node.name + ": the core has " + recording + " in flight without having captured"
                        + " the state of each");
            }
            for (long snapshot : node.core.aligning()) {
                if (node.captured.contains(snapshot)) {
                    violate(node.name + ": the core aligns for S" + snapshot + " after capturing its state");
                }
            }
        }
    }

    private Observed observed(long snapshot, String process) {
        return observed.computeIfAbsent(snapshot, s -> new TreeMap<>()).computeIfAbsent(process, p -> new Observed());
    }

    private void say(String line) {
        if (narrate) {
            narration.add(line);
        }
    }

    private void violate(String violation) {
        violations.add(violation);
        say("  VIOLATION: " + violation);
    }

    private static void require(boolean condition, java.util.function.Supplier<String> message) {
        if (!condition) {
            throw new IllegalStateException(message.get());
        }
    }

    /** One process: its token count, its consumer positions, its core, and the harness pieces around it. */
    private final class Node {
        final String name;
        final Map<String, Long> consumed = new TreeMap<>();
        final Set<Long> captured = new TreeSet<>();
        /** The incoming channels the core asked to hold and has not released: not delivered meanwhile. */
        final Set<String> held = new TreeSet<>();
        final SnapshotProtocol core;
        final ProtocolInputs inputs;
        final Outbox outbox;
        int tokens;
        int controlPosition;
        /** Under a split budget, the app messages this process may still send, in all and per outgoing channel. */
        int sendsLeft;
        final Map<String, Integer> channelBudget = new TreeMap<>();

        Node(String name, int tokens) {
            this.name = name;
            this.tokens = tokens;
            Set<String> outgoing = new LinkedHashSet<>();
            topology.incoming(name).forEach(c -> consumed.put(c.name(), 0L));
            topology.outgoing(name).forEach(c -> outgoing.add(c.name()));
            Controller controller = scenario.mutation().controller(name, new HarnessController(name));
            this.core = new SnapshotProtocol(name, consumed, outgoing, 0, controller);
            this.inputs = scenario.mutation().inputs(name, ProtocolInputs.of(core), controller);
            this.outbox = scenario.mutation().outbox(name, (channel, entry) -> appendToLog(name, channel, entry));
        }

        /** The same process in the enclosing (copied) world, its core copied to act on this world's harness. */
        Node(Node original) {
            this.name = original.name;
            this.tokens = original.tokens;
            this.controlPosition = original.controlPosition;
            this.sendsLeft = original.sendsLeft;
            channelBudget.putAll(original.channelBudget);
            consumed.putAll(original.consumed);
            captured.addAll(original.captured);
            held.addAll(original.held);
            Controller controller = scenario.mutation().controller(name, new HarnessController(name));
            this.core = CoreInternals.copy(original.core, controller);
            this.inputs = scenario.mutation().inputs(name, ProtocolInputs.of(core), controller);
            this.outbox = scenario.mutation().outbox(name, (channel, entry) -> appendToLog(name, channel, entry));
        }

        /** The index of the next trigger on the control topic addressed to this process, or -1. */
        int nextTrigger() {
            for (int i = controlPosition; i < control.size(); i++) {
                if (control.get(i).triggers(name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** What the runtime does for the core, done in memory and watched. */
    private final class HarnessController implements Controller {
        private final String process;

        HarnessController(String process) {
            this.process = process;
        }

        @Override
        public void recordLocalState(long snapshot) {
            Node node = nodes.get(process);
            Observed seen = observed(snapshot, process);
            if (seen.captured()) {
                violate(process + " captured its state for S" + snapshot + " twice");
            }
            seen.capturedTokens = node.tokens;
            seen.positionsAtCapture = new TreeMap<>(node.consumed);
            node.captured.add(snapshot);
            say("  " + process + " captures its state for S" + snapshot + ": " + node.tokens + " tokens, consumed "
                    + node.consumed);
            SimEvent.ReadOut readOut = new SimEvent.ReadOut(process, snapshot);
            pendingReadouts.add(readOut);
            owe(readOut, scenario.readout());
        }

        @Override
        public void sendMarkers(long snapshot) {
            Node node = nodes.get(process);
            if (!node.captured.contains(snapshot)) {
                violate(process + " sent markers of S" + snapshot + " before capturing its state");
            }
            for (SimTopology.Channel channel : topology.outgoing(process)) {
                node.outbox.append(channel.name(), new LogEntry.Marker(snapshot));
            }
        }

        @Override
        public boolean alignFirst(long snapshot, Set<String> unmarked) {
            return scenario.isAligned();
        }

        @Override
        public void holdChannel(String channel) {
            Node node = nodes.get(process);
            if (!node.consumed.containsKey(channel)) {
                violate(process + " holds " + channel + ", which is not one of its incoming channels");
            } else if (!node.held.add(channel)) {
                violate(process + " holds " + channel + ", which it holds already");
            } else {
                say("  " + process + " holds " + channel);
            }
        }

        @Override
        public void releaseChannel(String channel) {
            Node node = nodes.get(process);
            if (!node.held.remove(channel)) {
                violate(process + " releases " + channel + ", which it does not hold");
            } else {
                say("  " + process + " releases " + channel);
            }
        }

        @Override
        public void recordChannelRecord(long snapshot, String channel, long offset) {
            Observed seen = observed(snapshot, process);
            Delivery kept = new Delivery(process, channel, offset);
            if (!kept.equals(delivering)) {
                violate(process + " kept " + channel + "@" + offset + " for S" + snapshot
                        + " while the record being processed is " + delivering);
            }
            if (seen.fragment != null) {
                violate(process + " kept " + channel + "@" + offset + " for S" + snapshot + " after completing its"
                        + " fragment");
            }
            seen.kept(channel).add(offset);
            say("  " + process + " keeps " + channel + "@" + offset + " as channel state of S" + snapshot);
        }

        @Override
        public void fragmentComplete(LocalSnapshot fragment) {
            long snapshot = fragment.snapshot();
            Observed seen = observed(snapshot, process);
            say("  " + process + " completes its fragment of S" + snapshot + ": in " + new TreeMap<>(fragment.in())
                    + ", out " + new TreeMap<>(fragment.out()));
            if (seen.fragment != null || !seen.captured()) {
                violate(process + " completed S" + snapshot + (seen.fragment != null ? " twice" : " without capturing"));
                return;
            }
            Set<String> incoming = new TreeSet<>();
            topology.incoming(process).forEach(c -> incoming.add(c.name()));
            Set<String> outgoing = new TreeSet<>();
            topology.outgoing(process).forEach(c -> outgoing.add(c.name()));
            if (!fragment.in().keySet().equals(incoming) || !fragment.out().keySet().equals(outgoing)) {
                violate(process + "'s fragment of S" + snapshot + " names channels " + fragment.in().keySet() + " -> "
                        + fragment.out().keySet() + " instead of " + incoming + " -> " + outgoing);
            }
            seen.fragment = fragment;
            Map<String, Observed> byProcess = observed.get(snapshot);
            boolean everywhere = topology.processes().stream()
                    .allMatch(p -> byProcess.containsKey(p) && byProcess.get(p).fragment != null);
            if (everywhere && violations.isEmpty()) {
                completeEverywhere.add(snapshot);
                List<String> found = SnapshotChecks.check(snapshot, topology, byProcess, logs, totalTokens);
                found.forEach(SimWorld.this::violate);
                say("  S" + snapshot + " is complete at every process" + (found.isEmpty() ? "; all checks pass" : ""));
            }
        }

        @Override
        public void rejected(Rejection reason, String detail) {
            violate(process + " rejected an event the harness sent in order: " + reason + ": " + detail);
        }
    }
}
