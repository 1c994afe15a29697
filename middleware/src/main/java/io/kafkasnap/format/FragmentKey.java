package io.kafkasnap.format;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The record key of a fragment's chunks on the collection topic: {@code <snapshot>/<process>} in UTF-8. */
public record FragmentKey(long snapshot, String process) {

    public FragmentKey {
        if (process == null || process.isEmpty()) {
            throw new IllegalArgumentException("process must be a non-empty string");
        }
    }

    /** The key in its text form, e.g. {@code 42/bank-0}. */
    @Override
    public String toString() {
        return snapshot + "/" + process;
    }

    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The key this text stands for, or empty if it is not {@code <non-negative long>/<non-empty process>}. */
    public static Optional<FragmentKey> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            return Optional.empty();
        }
        if (!text.substring(0, slash).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        try {
            long snapshot = Long.parseLong(text.substring(0, slash));
            return snapshot < 0 ? Optional.empty() : Optional.of(new FragmentKey(snapshot, text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
