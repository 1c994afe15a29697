package io.kafkasnap.protocol;

/**
 * The events the harness feeds a process's protocol. The real one is {@link SnapshotProtocol} itself; the seam
 * exists so that a broken variant can be wrapped around the real core without copying it.
 */
interface ProtocolInputs {

    void onTrigger(long snapshot, String initiator);

    void onMarker(String channel, long offset, long snapshot);

    void onAppRecord(String channel, long offset);

    void onMarkerSent(long snapshot, String channel, long offset);

    void onLocalStateRecorded(long snapshot);

    void captureNow(long snapshot);

    /** State a decorator keeps beside the core, for the checker's state hashing; the core itself has none here. */
    default String decoratorState() {
        return "";
    }

    static ProtocolInputs of(SnapshotProtocol core) {
        return new ProtocolInputs() {
            @Override
            public void onTrigger(long snapshot, String initiator) {
                core.onTrigger(snapshot, initiator);
            }

            @Override
            public void onMarker(String channel, long offset, long snapshot) {
                core.onMarker(channel, offset, snapshot);
            }

            @Override
            public void onAppRecord(String channel, long offset) {
                core.onAppRecord(channel, offset);
            }

            @Override
            public void onMarkerSent(long snapshot, String channel, long offset) {
                core.onMarkerSent(snapshot, channel, offset);
            }

            @Override
            public void onLocalStateRecorded(long snapshot) {
                core.onLocalStateRecorded(snapshot);
            }

            @Override
            public void captureNow(long snapshot) {
                core.captureNow(snapshot);
            }
        };
    }
}
