package io.kafkasnap.api;

/**
 * What a service does with each app record of its incoming channels. Runs on the node's event loop, one
 * record at a time, so state needs no locks. If it throws, the record's state changes are rolled back, the
 * failure is logged with the channel and offset, and the node goes on with the next record. Records it sent
 * before throwing are not taken back (sends go straight to the channel), so send after the last check.
 */
@FunctionalInterface
public interface RecordHandler {
    void handle(NodeContext context, IncomingRecord record) throws Exception;
}
