package io.kafkasnap.engine;

import io.kafkasnap.protocol.LocalSnapshot;
import io.kafkasnap.store.StateCapture;
import java.util.Map;

/**
 * Publishes a fragment off the loop: reads the capture and the records kept for the snapshot (committed before this is
 * called), cuts it into chunks and sends them. Ends with {@link NodeEngine#onFragmentPublished} or
 * {@link NodeEngine#onFragmentFailed}. Takes ownership of the capture and releases it when done or cancelled.
 */
public interface FragmentSink {

    /**
     * @param recordedAt wall-clock millis of the capture
     * @param applied    the last applied {epoch, seq} of each incoming channel at the capture
     */
    void publish(LocalSnapshot local, StateCapture capture, long recordedAt, Map<String, long[]> applied);

    /** Stops publishing {@code snapshot}'s fragment if under way; chunks already sent stay sent. */
    void cancel(long snapshot);
}
