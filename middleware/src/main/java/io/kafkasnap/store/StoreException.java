package io.kafkasnap.store;

/** RocksDB failed; the message says which operation. Fatal for the node: its state can no longer be trusted. */
public final class StoreException extends RuntimeException {
    StoreException(String operation, Throwable cause) {
        super("state store: " + operation + " failed: " + cause.getMessage(), cause);
    }
}
