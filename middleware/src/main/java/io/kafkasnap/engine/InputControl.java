package io.kafkasnap.engine;

/** Pauses and resumes the node's reading of an incoming channel, and tells how far behind it is. */
public interface InputControl {

    void pause(String channel);

    /** Reads {@code channel} again from {@code position}. */
    void resume(String channel, long position);

    /**
     * Records of {@code channel} past the ones handed to the engine, as far as the shell last heard from the broker;
     * -1 when it does not know yet.
     */
    long lag(String channel);
}
