package io.kafkasnap.api;

/** Code that runs on the node's event loop: at start, or on a timer. */
@FunctionalInterface
public interface NodeTask {
    void run(NodeContext context) throws Exception;
}
