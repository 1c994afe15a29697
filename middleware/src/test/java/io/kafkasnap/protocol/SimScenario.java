package io.kafkasnap.protocol;

import java.util.List;

/**
 * Everything that fixes a simulated world's initial state and its possible steps.
 *
 * @param appMessages   how many app messages may be sent in all; bounds the state space
 * @param readout       when the readout of a captured state finishes
 * @param acks          when a marker's offset is acknowledged
 * @param mutation      deliberately broken variant to run instead of the faithful harness
 * @param budget        whether the app messages are one budget all processes draw on, or split among the senders
 *                      by the first step (see {@link Budget}); the exhaustive checker's reduction needs the split
 * @param capture       whether a process records its state at once or first waits for its markers ({@link Capture})
 */
record SimScenario(SimTopology topology, int appMessages, List<SnapshotPlan> snapshots, Callback readout,
                   Callback acks, Mutation mutation, Budget budget, Capture capture) {

    /**
     * {@link #AT_ONCE}: the harness's controller never asks to align, as the paper has it. {@link #ALIGNED}: it
     * always does ({@link Controller#alignFirst} answers true), the world honours the holds, and a
     * {@link SimEvent.CaptureNow} step (the runtime's timeout or lag rule) may end any alignment at any moment.
     */
    enum Capture { AT_ONCE, ALIGNED }

    /**
     * How the {@code appMessages} are shared out.
     *
     * <p>{@link #SHARED}: one counter all processes draw on; simple, but a send by one process can disable a send
     * by another, so sends of different processes do not commute. {@link #SPLIT}: the first step chooses, among
     * every way to split the budget over the processes that have an outgoing channel, how many each sends; then
     * a process's sends depend on nothing but its own state. Both give the same maximal executions: every process
     * starts with at least {@code appMessages} tokens (so it never runs dry), every maximal execution under
     * SHARED spends the whole budget, and it is an execution under SPLIT for the split it ends with.
     */
    enum Budget { SHARED, SPLIT }

    SimScenario {
        java.util.Objects.requireNonNull(capture, "capture");
        snapshots = List.copyOf(snapshots);
        if (budget == Budget.SPLIT && appMessages > SimWorld.MAX_TOKENS_PER_PROCESS) {
            throw new IllegalArgumentException("a split budget needs every sender to hold the whole budget in tokens");
        }
    }

    SimScenario(SimTopology topology, int appMessages, List<SnapshotPlan> snapshots, Callback readout,
                Callback acks, Mutation mutation) {
        this(topology, appMessages, snapshots, readout, acks, mutation, Budget.SHARED, Capture.AT_ONCE);
    }

    /**
     * The scenario: S1 started by two initiators at once, S2 by the broadcast trigger. Readouts are steps
     * of their own, so every interleaving of them with deliveries is explored; acks come at the end of the step
     * (interleaving them too multiplies the states by about ten per app message; the exhaustive profile does it).
     */
    static SimScenario twoSnapshots(SimTopology topology, int appMessages, String initiator1, String initiator2) {
        return new SimScenario(topology, appMessages,
                List.of(new SnapshotPlan(1, List.of(initiator1, initiator2)), SnapshotPlan.broadcast(2)),
                Callback.OWN_STEP, Callback.END_OF_STEP, Mutation.NONE, Budget.SPLIT, Capture.AT_ONCE);
    }

    SimScenario withSnapshots(List<SnapshotPlan> plans) {
        return new SimScenario(topology, appMessages, plans, readout, acks, mutation, budget, capture);
    }

    SimScenario withCallbacks(Callback readout, Callback acks) {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation, budget, capture);
    }

    SimScenario with(Mutation mutation) {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation, budget, capture);
    }

    SimScenario with(Budget budget) {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation, budget, capture);
    }

    /** The same world, where every process waits for its markers before recording (see {@link Capture}). */
    SimScenario aligned() {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation, budget, Capture.ALIGNED);
    }

    boolean isAligned() {
        return capture == Capture.ALIGNED;
    }

    @Override
    public String toString() {
        return topology + ", " + appMessages + " app messages" + (budget == Budget.SPLIT ? " (split)" : "")
                + ", snapshots " + snapshots
                + ", readout " + readout + ", acks " + acks + (isAligned() ? ", aligned capture" : "")
                + (mutation == Mutation.NONE ? "" : ", BROKEN VARIANT " + mutation);
    }
}
