package io.kafkasnap.api;

/**
 * Told of every restore this node applies, so that a service can reset what lives outside the node (caches, a
 * read model, timers of its own). It runs on the event loop, inside the restore's step: the state is already the
 * snapshot's (or the initial one, by {@link Restore#part()}), the node is in the new epoch, and the snapshot's
 * recorded messages reach the handler right after it. What it changes in the state and sends through the context
 * commits with the restore; if it throws, its own changes and sends are undone and logged, and the restore stands.
 */
@FunctionalInterface
public interface RestoreListener {
    void onRestore(NodeContext context, Restore restore) throws Exception;
}
