package io.kafkasnap.engine;

/** Pauses and resumes the node's reading of an incoming channel. */
public interface InputControl {

    void pause(String channel);

    /** Reads {@code channel} again from {@code position}. */
    void resume(String channel, long position);
}
