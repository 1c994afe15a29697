package io.kafkasnap.api;

/**
 * What a service does with each app record of its incoming channels. Runs on the node's event loop, one
 * record at a time, so state needs no locks. If it throws, the record's state changes and the records it sent are
 * rolled back together (sends wait in the outbox until the step commits), the failure is logged with the channel
 * and offset, and the node goes on with the next record.
 */
@FunctionalInterface
public interface RecordHandler {
    void handle(NodeContext context, IncomingRecord record) throws Exception;
}
