package io.kafkasnap.engine;

import io.kafkasnap.store.NodeStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The step's bookkeeping for where the node stands: each incoming channel's next offset and the control topic's. It
 * puts into the batch only what moved since it last did. Most steps move nothing (an acknowledgement, a timer that
 * sent nothing), and a batch holding only unchanged positions would still cost the step a RocksDB write. The node
 * is the only writer of these keys and a failed commit stops it, so what was last put is what is stored.
 */
final class PositionWrites {

    private final Map<String, Long> written = new HashMap<>();
    private long controlWritten = -1;

    void writeInputs(NodeStore store, Map<String, Long> positions) {
        Map<String, Long> moved = null;
        for (Map.Entry<String, Long> position : positions.entrySet()) {
            if (!position.getValue().equals(written.get(position.getKey()))) {
                if (moved == null) {
                    moved = new HashMap<>();
                }
                moved.put(position.getKey(), position.getValue());
            }
        }
        if (moved != null) {
            store.putPositions(moved);
            written.putAll(moved);
        }
    }

    void writeControl(NodeStore store, long next) {
        if (next != controlWritten) {
            store.putControlPosition(next);
            controlWritten = next;
        }
    }
}
