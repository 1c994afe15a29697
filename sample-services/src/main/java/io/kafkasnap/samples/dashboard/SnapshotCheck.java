package io.kafkasnap.samples.dashboard;

import io.kafkasnap.collect.GlobalSnapshot;

/**
 * An application invariant checked on every assembled snapshot (the bank: money is conserved), shown by the
 * dashboard beside the middleware's own verdict. The dashboard itself knows nothing of the application.
 */
@FunctionalInterface
public interface SnapshotCheck {

    /** @param ok whether the invariant holds; {@code text} says what was found, in a few words */
    record Verdict(boolean ok, String text) {
    }

    Verdict check(GlobalSnapshot snapshot);

    /** Checks nothing beyond the middleware's rules. */
    SnapshotCheck NONE = snapshot -> null;
}
