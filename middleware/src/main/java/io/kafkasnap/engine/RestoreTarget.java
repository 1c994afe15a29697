package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot as a restore needs it at one node: whether it may be restored, its members, and this node's part.
 *
 * @param refusal  why the snapshot can never be restored, as every node finds (no such trigger, failed by an abort
 *                 before the restore, inconsistent); empty if it can, or may once its fragments are all there
 * @param missing  why it cannot be restored yet (fragments missing or unusable so far): the lookup is tried again,
 *                 since another node may find them and the verdict must be the same everywhere
 * @param state    this node's state in the snapshot, byte for byte; empty map for a non-member
 * @param recorded the snapshot's recorded messages of each of this node's incoming channels, in order
 */
public record RestoreTarget(long snapshot, Optional<String> refusal, Optional<String> missing, Set<String> members,
                            Map<String, byte[]> state, Map<String, List<IncomingRecord>> recorded) {

    public RestoreTarget {
        members = Set.copyOf(members);
        state = Map.copyOf(state);
        recorded = Map.copyOf(recorded);
    }

    public static RestoreTarget refused(long snapshot, String why) {
        return new RestoreTarget(snapshot, Optional.of(why), Optional.empty(), Set.of(), Map.of(), Map.of());
    }

    public static RestoreTarget notYet(long snapshot, String why) {
        return new RestoreTarget(snapshot, Optional.empty(), Optional.of(why), Set.of(), Map.of(), Map.of());
    }

    public static RestoreTarget restorable(long snapshot, Set<String> members, Map<String, byte[]> state,
                                           Map<String, List<IncomingRecord>> recorded) {
        return new RestoreTarget(snapshot, Optional.empty(), Optional.empty(), members, state, recorded);
    }
}
