package io.kafkasnap.format;

import java.util.function.LongSupplier;

/**
 * Stamps the two points of a fragment's {@link Timeline} that are reached while the fragment is written: the state
 * read out of the store snapshot, and the bytes complete and handed on. A fragment of several chunks is written twice
 * (once to count its bytes, once to cut them, {@link Chunks#stream}), and both passes must write the same bytes: the
 * first pass stamps, the second writes the same stamps again.
 */
public final class TimelineStamps implements FragmentStream.Stamps {

    private final Timeline.OnLoop onLoop;
    private final LongSupplier clock;
    private long stateReadOut = -1;
    private Timeline timeline;

    /** @param clock wall-clock epoch millis, the node's {@code Time} */
    public TimelineStamps(Timeline.OnLoop onLoop, LongSupplier clock) {
        this.onLoop = onLoop;
        this.clock = clock;
    }

    @Override
    public void stateWritten() {
        if (stateReadOut < 0) {
            stateReadOut = clock.getAsLong();
        }
    }

    @Override
    public Timeline timeline() {
        if (timeline == null) {
            long now = clock.getAsLong();
            timeline = onLoop.then(stateReadOut < 0 ? now : stateReadOut, now);
        }
        return timeline;
    }
}
