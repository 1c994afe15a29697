package io.kafkasnap.protocol;

import java.util.List;

/**
 * A snapshot the scenario will trigger. No initiators means the broadcast trigger, which every process reads;
 * otherwise each named process reads a trigger naming itself, so two names are two initiators of one snapshot.
 */
record SnapshotPlan(long id, List<String> initiators) {

    SnapshotPlan {
        initiators = List.copyOf(initiators);
    }

    static SnapshotPlan broadcast(long id) {
        return new SnapshotPlan(id, List.of());
    }

    boolean isBroadcast() {
        return initiators.isEmpty();
    }

    boolean triggers(String process) {
        return isBroadcast() || initiators.contains(process);
    }

    @Override
    public String toString() {
        return "S" + id + (isBroadcast() ? " (broadcast)" : " (initiators " + String.join(", ", initiators) + ")");
    }
}
