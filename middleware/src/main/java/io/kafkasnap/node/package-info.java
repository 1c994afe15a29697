/**
 * The public face of the library: {@link io.kafkasnap.node.SnapshotNode} and its builder, the handler and timer
 * interfaces, and the context they get. Everything else in this package is the event loop behind it.
 */
package io.kafkasnap.node;
