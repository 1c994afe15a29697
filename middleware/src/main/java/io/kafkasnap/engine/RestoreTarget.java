package io.kafkasnap.engine;

import io.kafkasnap.api.IncomingRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot as a restore needs it at one node: whether it may be restored, its members, and this node's part.
 *
 * @param refusal  why the snapshot cannot be restored (not complete, inconsistent), empty if it can
 * @param state    this node's state in the snapshot, byte for byte; empty map for a non-member
 * @param recorded the snapshot's recorded messages of each of this node's incoming channels, in order
 */
public record RestoreTarget(long snapshot, Optional<String> refusal, Set<String> members, Map<String, byte[]> state,
                            Map<String, List<IncomingRecord>> recorded) {

    public RestoreTarget {
        members = Set.copyOf(members);
        state = Map.copyOf(state);
        recorded = Map.copyOf(recorded);
    }
}
