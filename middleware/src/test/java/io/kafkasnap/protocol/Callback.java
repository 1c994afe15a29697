package io.kafkasnap.protocol;

/**
 * When the harness answers the core's requests that complete later: the state readout after
 * {@code recordLocalState}, and the offset ack after {@code sendMarkers}. A runtime may do either.
 */
enum Callback {
    /** From inside the Controller call, re-entering the core, as a runtime that sends synchronously would. */
    INSIDE_CALL,
    /** Right after the step that asked for it, before any other step. */
    END_OF_STEP,
    /** As a step of its own, interleaved every way with all other steps. */
    OWN_STEP
}
