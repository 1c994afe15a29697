package io.kafkasnap.protocol;

import java.util.List;

/**
 * Everything that fixes a simulated world's initial state and its possible steps.
 *
 * @param appMessages   how many app messages may be sent in all; bounds the state space
 * @param readout       when the readout of a captured state finishes
 * @param acks          when a marker's offset is acknowledged
 * @param mutation      deliberately broken variant to run instead of the faithful harness
 */
record SimScenario(SimTopology topology, int appMessages, List<SnapshotPlan> snapshots, Callback readout,
                   Callback acks, Mutation mutation) {

    SimScenario {
        snapshots = List.copyOf(snapshots);
    }

    /**
     * The scenario: S1 started by two initiators at once, S2 by the broadcast trigger. Readouts are steps
     * of their own, so every interleaving of them with deliveries is explored; acks come at the end of the step
     * (interleaving them too multiplies the states by about ten per app message; the exhaustive profile does it).
     */
    static SimScenario twoSnapshots(SimTopology topology, int appMessages, String initiator1, String initiator2) {
        return new SimScenario(topology, appMessages,
                List.of(new SnapshotPlan(1, List.of(initiator1, initiator2)), SnapshotPlan.broadcast(2)),
                Callback.OWN_STEP, Callback.END_OF_STEP, Mutation.NONE);
    }

    SimScenario withSnapshots(List<SnapshotPlan> plans) {
        return new SimScenario(topology, appMessages, plans, readout, acks, mutation);
    }

    SimScenario withCallbacks(Callback readout, Callback acks) {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation);
    }

    SimScenario with(Mutation mutation) {
        return new SimScenario(topology, appMessages, snapshots, readout, acks, mutation);
    }

    @Override
    public String toString() {
        return topology + ", " + appMessages + " app messages, snapshots " + snapshots
                + ", readout " + readout + ", acks " + acks
                + (mutation == Mutation.NONE ? "" : ", BROKEN VARIANT " + mutation);
    }
}
