package io.kafkasnap.protocol;

/**
 * Where a process's outgoing app messages and markers go, in order: the harness appends them to the channel's
 * log at once, like the runtime's single idempotent producer per process. A broken variant may reorder them.
 */
interface Outbox {

    void append(String channel, LogEntry entry);

    /** No app message will be sent any more; a variant that holds records back must let them go now. */
    default void endOfAppTraffic() {
    }

    /** Records a decorator holds back, for the checker's state hashing. */
    default String decoratorState() {
        return "";
    }
}
