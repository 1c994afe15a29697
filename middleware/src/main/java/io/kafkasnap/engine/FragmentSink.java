package io.kafkasnap.engine;

import io.kafkasnap.format.Timeline;
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
     * @param onLoop  the timeline's points up to the fragment being complete; its {@code captured} is the fragment's
     *                {@code recordedAt}. The sink stamps the state read out and the fragment handed on.
     * @param applied the last applied {epoch, seq} of each incoming channel at the capture
     */
    void publish(LocalSnapshot local, StateCapture capture, Timeline.OnLoop onLoop, Map<String, long[]> applied);

    /** Stops publishing {@code snapshot}'s fragment if under way; chunks already sent stay sent. */
    void cancel(long snapshot);
}
