package io.kafkasnap.engine;

import io.kafkasnap.format.ControlRecord;

/**
 * Writes this node's records to the control topic without waiting. A record written is reported with
 * {@link NodeEngine#onControlWritten}; one that could not be written is logged by the shell: a lost abort is not
 * fatal (the member's timeout or restart gives the snapshot up again), a lost {@code restored} is written again at the
 * next start.
 */
public interface ControlLog {

    void write(ControlRecord record);
}
