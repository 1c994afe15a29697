package io.kafkasnap.collect;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.collect.ChunkReassembler.Assembled;
import io.kafkasnap.collect.ChunkReassembler.Outcome;
import io.kafkasnap.collect.ChunkReassembler.Unusable;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns incremental fragments into full ones: an incremental fragment names its base (the same process's fragment of
 * an earlier snapshot, and where it begins on the collection topic), and its state is the base's state with the keys it
 * changes and removes. The chain of bases ends at a full fragment.
 *
 * <p>Fragments read in topic order are remembered (resolved), a few per process, so that a reader following the topic
 * finds the base it needs among them; a base read before the reader started, or forgotten since, is read from the
 * collection topic at the offset the fragment names, through {@link Source}. A base that cannot be read (deleted by a
 * prune or by retention, or not the fragment named) makes the fragment unusable, saying why.
 *
 * <p>Not thread-safe: the reader's thread feeds it.
 */
final class FragmentChains {

    /** Reads the fragment that begins at an offset of the collection topic. */
    @FunctionalInterface
    interface Source {
        /**
         * @return the fragment of {@code key} whose first chunk is at {@code offset}, as assembled (possibly
         *     incremental itself), or why there is none
         */
        Outcome read(FragmentKey key, long offset);
    }

    /** A source for readers that never meet incremental fragments' missing bases: every lookup fails, saying so. */
    static final Source NONE = (key, offset) -> new Unusable(key.toString(), offset, 0,
            "this reader cannot read the collection topic back");

    /** How many resolved fragments are remembered per process: the bases of the snapshots in flight at once. */
    private static final int REMEMBERED_PER_PROCESS = 8;

    private final Source source;
    /** Per process, resolved fragments by where they begin, oldest first. */
    private final Map<String, LinkedHashMap<Long, Fragment>> resolved = new HashMap<>();

    FragmentChains(Source source) {
        this.source = source;
    }

    /**
     * The outcome with an incremental fragment replaced by the full one it stands for, or by an {@link Unusable} if
     * its base cannot be had. Full fragments pass unchanged; each resolved fragment is remembered as a base.
     */
    Outcome resolve(Outcome outcome) {
        if (!(outcome instanceof Assembled assembled)) {
            return outcome;
        }
        Fragment fragment = assembled.fragment();
        if (fragment.isIncremental() && fragment.base().offset() >= assembled.firstOffset()) {
            return new Unusable(assembled.key(), assembled.offset(), assembled.timestamp(), "incremental fragment"
                    + " beginning at offset " + assembled.firstOffset() + " names a base at offset "
                    + fragment.base().offset() + ", not before it");
        }
        if (fragment.isIncremental()) {
            Fragment full;
            try {
                full = resolve(fragment);
            } catch (BrokenChain e) {
                return new Unusable(assembled.key(), assembled.offset(), assembled.timestamp(),
                        "incremental fragment (base snapshot " + fragment.base().snapshot() + " at offset "
                                + fragment.base().offset() + "): " + e.getMessage());
            }
            fragment = full;
            assembled = new Assembled(assembled.key(), assembled.offset(), assembled.timestamp(), full,
                    assembled.firstOffset());
        }
        remember(fragment, assembled.firstOffset());
        return assembled;
    }

    /** The full state of {@code fragment}, walking its chain of bases back to a full one. */
    private Fragment resolve(Fragment fragment) {
        // Walk back to a base already known (or a full fragment), then apply the deltas forward.
        Deque<Fragment> deltas = new ArrayDeque<>();
        Fragment at = fragment;
        Map<String, JsonNode> state = null;
        while (state == null) {
            deltas.push(at);
            Fragment.Base base = at.base();
            FragmentKey key = new FragmentKey(base.snapshot(), at.process());
            Fragment known = known(at.process(), base.offset());
            if (known != null && known.snapshot() == base.snapshot()) {
                state = known.state();
                break;
            }
            Outcome read = source.read(key, base.offset());
            if (read instanceof Unusable unusable) {
                throw new BrokenChain("its base " + key + " at offset " + base.offset() + " cannot be read: "
                        + unusable.reason());
            }
            Fragment next = ((Assembled) read).fragment();
            if (!next.key().equals(key)) {
                throw new BrokenChain("offset " + base.offset() + " begins fragment " + next.key() + ", not its base "
                        + key);
            }
            if (next.isIncremental() && next.base().offset() >= base.offset()) {
                throw new BrokenChain("its base " + key + " names a base at offset " + next.base().offset()
                        + ", not before its own");
            }
            if (!next.isIncremental()) {
                remember(next, base.offset());
                state = next.state();
            }
            at = next;
        }
        Fragment full = null;
        while (!deltas.isEmpty()) {
            Fragment delta = deltas.pop();
            full = delta.onto(state);
            state = full.state();
            if (!deltas.isEmpty()) {
                remember(full, deltas.peek().base().offset());
            }
        }
        return full;
    }

    private Fragment known(String process, long offset) {
        LinkedHashMap<Long, Fragment> fragments = resolved.get(process);
        return fragments == null ? null : fragments.get(offset);
    }

    private void remember(Fragment full, long firstOffset) {
        LinkedHashMap<Long, Fragment> fragments = resolved.computeIfAbsent(full.process(), p -> new LinkedHashMap<>());
        fragments.remove(firstOffset);
        fragments.put(firstOffset, full);
        for (Iterator<Long> it = fragments.keySet().iterator(); fragments.size() > REMEMBERED_PER_PROCESS; ) {
            it.next();
            it.remove();
        }
    }

    private static final class BrokenChain extends RuntimeException {
        BrokenChain(String message) {
            super(message, null, false, false);
        }
    }
}
