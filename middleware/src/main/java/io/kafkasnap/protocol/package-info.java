/**
 * The Chandy–Lamport state machine, pure: no Kafka, RocksDB or thread imports.
 *
 * <p>{@link io.kafkasnap.protocol.SnapshotProtocol} takes events in (trigger, marker, app record, marker
 * acknowledged, local state read out) and acts only through the narrow {@link io.kafkasnap.protocol.Controller}
 * port. One {@link io.kafkasnap.protocol.Recording} per snapshot in flight holds the per-channel progress; its
 * event methods return the next value, so every transition is visible at its call site.
 *
 * <p>Offsets are the channel log's offsets; snapshot ids are the control topic offsets of the triggers. The
 * runtime calls every method from one thread.
 */
package io.kafkasnap.protocol;
