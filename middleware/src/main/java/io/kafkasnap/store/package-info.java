/**
 * RocksDB behind the node: key-value state, input positions and recorded channel records, all changed through
 * one write batch per event-loop step so that they move together.
 */
package io.kafkasnap.store;
