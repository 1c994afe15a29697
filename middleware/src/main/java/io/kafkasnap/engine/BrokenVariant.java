package io.kafkasnap.engine;

/**
 * Deliberately wrong versions of the engine's rules, switched on only by the node simulation's own tests to show that
 * it catches each (as the core's checker is shown to catch broken protocols). Production never sets one.
 */
enum BrokenVariant {
    /** The outbox deletes every acknowledged entry on its own and sends again only the one that failed. */
    DELETE_ACKNOWLEDGED_OUT_OF_ORDER,
    /** A record beyond the next expected sequence number is applied instead of dropped. */
    APPLY_GAP,
    /** A restored channel goes on from its old epoch's sequence instead of waiting for the sender's fence. */
    SKIP_FENCE,
    /** Only the first member (by process id) applies a restore; the others take it as void. */
    RESTORE_ONE_MEMBER_ONLY,
    /** Each node decides a restore by itself: a newcomer refuses a restore without allowNewMembers, members apply. */
    DECIDE_RESTORE_LOCALLY,
    /**
     * A step's input positions and last applied sequences (with the rest of its bookkeeping) are written in a commit
     * of their own, and its state changes and outbox entries only with the next step's commit: a kill in between has
     * consumed the input without its effects or its sends.
     */
    COMMIT_POSITIONS_BEFORE_OUTBOX,
    /**
     * A node waiting for markers before capturing does not hold a channel whose marker came: it goes on processing
     * that channel's records, which its sender sent after recording, and captures them in its state.
     */
    ALIGN_WITHOUT_HOLD
}
