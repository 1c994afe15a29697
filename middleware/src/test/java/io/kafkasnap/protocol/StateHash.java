package io.kafkasnap.protocol;

import java.util.Collection;
import java.util.Map;

/**
 * A 64-bit hash of a simulated world's state, fed value by value instead of through a canonical text (which cost
 * half the checker's time). Sequences are hashed in order; collections without a fixed order (the core's hash
 * maps and sets) are hashed as the sum of their elements' own hashes, which does not depend on the order.
 *
 * <p>At the fifteen million states of the largest default check, a collision (which could only hide a state) has
 * odds of about one in a hundred thousand.
 */
final class StateHash {

    private long hash = 0x6a09e667f3bcc908L;

    StateHash add(long value) {
        hash = Long.rotateLeft((hash ^ value) * 0x9e3779b97f4a7c15L, 29) + 0x632be59bd9b4e019L;
        return this;
    }

    StateHash add(boolean value) {
        return add(value ? 0x5bd1e995L : 0x1b873593L);
    }

    StateHash add(String text) {
        add(text.length());
        for (int i = 0; i < text.length(); i++) {
            add(text.charAt(i));
        }
        return this;
    }

    /** A tag between parts, so that values of one part cannot pass for another's. */
    StateHash tag(char part) {
        return add(0x7fe0_0000_0000_0000L | part);
    }

    /** Elements in a fixed order (a list, a sorted set); strings, numbers or booleans. */
    StateHash addOrdered(Collection<?> values) {
        add(values.size());
        for (Object value : values) {
            addValue(value);
        }
        return this;
    }

    /** A map whose iteration order is not fixed: the order of its entries does not change the hash. */
    StateHash addUnordered(Map<?, ?> map) {
        long sum = 0;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            sum += new StateHash().addValue(entry.getKey()).addValue(entry.getValue()).value();
        }
        return add(map.size()).add(sum);
    }

    /** A set whose iteration order is not fixed. */
    StateHash addUnordered(Collection<?> set) {
        long sum = 0;
        for (Object value : set) {
            sum += new StateHash().addValue(value).value();
        }
        return add(set.size()).add(sum);
    }

    StateHash addValue(Object value) {
        if (value instanceof Long number) {
            return add(number);
        } else if (value instanceof Integer number) {
            return add(number.longValue());
        } else if (value instanceof String text) {
            return add(text);
        } else if (value instanceof Boolean flag) {
            return add(flag);
        } else if (value instanceof LocalSnapshot.ChannelCut cut) {
            return add(cut.recordedFrom()).add(cut.markerOffset());
        } else if (value == null) {
            return add(0x0dd0_0dd0L);
        }
        throw new IllegalArgumentException("no hash for a " + value.getClass().getSimpleName() + ": " + value);
    }

    /** The hash, finished with a full avalanche (the splitmix64 finaliser). */
    long value() {
        long z = hash;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
