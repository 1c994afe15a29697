package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.List;

/** A Controller that writes down what the protocol asked for, as readable strings. */
final class CallLog implements Controller {

    final List<String> calls = new ArrayList<>();
    final List<LocalSnapshot> fragments = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    /** What {@link #alignFirst} answers; false is the paper's rule, as the default controller has it. */
    boolean align;

    @Override
    public boolean alignFirst(long snapshot, java.util.Set<String> unmarked) {
        if (align) { // logged only when on, so that the paper's rule reads as before
            calls.add("alignFirst " + snapshot + " " + new java.util.TreeSet<>(unmarked));
        }
        return align;
    }

    @Override
    public void abort(long snapshot, AbortReason reason, String detail) {
        calls.add("abort " + snapshot + " " + reason);
    }

    @Override
    public void holdChannel(String channel) {
        calls.add("hold " + channel);
    }

    @Override
    public void releaseChannel(String channel) {
        calls.add("release " + channel);
    }

    @Override
    public void recordLocalState(long snapshot) {
        calls.add("recordLocalState " + snapshot);
    }

    @Override
    public void sendMarkers(long snapshot) {
        calls.add("sendMarkers " + snapshot);
    }

    @Override
    public void recordChannelRecord(long snapshot, String channel, long offset) {
        calls.add("record " + snapshot + " " + channel + "@" + offset);
    }

    @Override
    public void fragmentComplete(LocalSnapshot snapshot) {
        calls.add("fragmentComplete " + snapshot.snapshot());
        fragments.add(snapshot);
    }

    @Override
    public void rejected(Rejection reason, String detail) {
        calls.add("rejected " + reason);
        rejections.add(reason);
    }

    List<String> drain() {
        List<String> copy = List.copyOf(calls);
        calls.clear();
        return copy;
    }
}
