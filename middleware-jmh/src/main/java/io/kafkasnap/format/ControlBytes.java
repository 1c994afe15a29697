package io.kafkasnap.format;

/** The control topic's bytes of a record, for benchmarks in other packages that feed an engine its join. */
public final class ControlBytes {

    private ControlBytes() {
    }

    public static byte[] of(ControlRecord record) {
        return ControlRecordJson.write(record);
    }
}
