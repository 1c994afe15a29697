package io.kafkasnap.collect;

import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader side's one way of parsing a control record: a malformed one is skipped, as the nodes skip it, and
 * warned about once per process (each reader of the control topic reads it again from offset 0, so warning at every
 * read would repeat it for good); later readings log it at debug.
 */
public final class ControlRecords {

    private static final Logger LOG = LoggerFactory.getLogger(ControlRecords.class);
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();

    private ControlRecords() {
    }

    /** The record at {@code offset} of {@code topic}, or empty (logged) when it is not a control record. */
    public static Optional<ControlRecord> parse(String topic, long offset, byte[] value) {
        try {
            if (value == null) {
                throw new MalformedControlRecordException("the record has no value");
            }
            return Optional.of(ControlRecord.parse(value));
        } catch (MalformedControlRecordException e) {
            if (warned.add(topic + "@" + offset)) {
                LOG.warn("skipping malformed control record at offset {} of {}: {}", offset, topic, e.getMessage());
            } else {
                LOG.debug("skipping malformed control record at offset {} of {}: {}", offset, topic, e.getMessage());
            }
            return Optional.empty();
        }
    }
}
