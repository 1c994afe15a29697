package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the harness saw one process do for one snapshot, through its Controller: the state it captured, where
 * its consumer stood at that instant, the records it kept per channel, and the fragment it completed.
 */
final class Observed {

    Integer capturedTokens;
    Map<String, Long> positionsAtCapture;
    final Map<String, List<Long>> keptRecords = new TreeMap<>();
    LocalSnapshot fragment;

    Observed copy() {
        Observed copy = new Observed();
        copy.capturedTokens = capturedTokens;
        copy.positionsAtCapture = positionsAtCapture; // never changed after capture, so shared
        keptRecords.forEach((channel, offsets) -> copy.keptRecords.put(channel, new ArrayList<>(offsets)));
        copy.fragment = fragment;
        return copy;
    }

    boolean captured() {
        return capturedTokens != null;
    }

    List<Long> kept(String channel) {
        return keptRecords.computeIfAbsent(channel, c -> new ArrayList<>());
    }

    void hash(StateHash hash) {
        hash.addValue(capturedTokens);
        if (positionsAtCapture != null) {
            hash.addOrdered(positionsAtCapture.keySet()).addOrdered(positionsAtCapture.values());
        }
        keptRecords.forEach((channel, offsets) -> hash.add(channel).addOrdered(offsets));
        hash.add(fragment != null);
        if (fragment != null) {
            hash.addUnordered(fragment.in()).addUnordered(fragment.out());
        }
    }
}
