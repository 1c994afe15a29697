/**
 * Periodic snapshots: {@link io.kafkasnap.schedule.SnapshotScheduler} triggers through the control topic and reports
 * the assembled results. Uses {@code collect} and {@code kafka}; the node does not depend on it.
 */
package io.kafkasnap.schedule;
