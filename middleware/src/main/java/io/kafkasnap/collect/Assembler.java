package io.kafkasnap.collect;

import io.kafkasnap.format.Fragment;
import io.kafkasnap.format.FragmentKey;
import io.kafkasnap.format.Membership;

import io.kafkasnap.collect.ChunkReassembler.Assembled;
import io.kafkasnap.collect.ChunkReassembler.Outcome;
import io.kafkasnap.collect.ChunkReassembler.Unusable;
import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.format.ControlRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns snapshot starts and collection-topic records into global snapshots, without doing any I/O itself except
 * through the {@link ConsistencyChecker}. The two topics are read independently, so a fragment may arrive before
 * the trigger that started its snapshot; it waits until the control topic has been read past the snapshot's offset.
 */
final class Assembler {

    private static final Logger LOG = LoggerFactory.getLogger(Assembler.class);

    private final ConsistencyChecker checker;
    private final long timeoutMillis;
    private final ChunkReassembler reassembler = new ChunkReassembler();
    private final FragmentChains chains;
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final Map<Long, List<Outcome>> early = new HashMap<>();
    /** The most recently finished snapshots' statuses, at most {@link #rememberFinished} of them, by id. */
    private final TreeMap<Long, Status> finished = new TreeMap<>();
    /** Per snapshot, the lowest collection offset where a chain of one of its incremental fragments begins. */
    private final Map<Long, Long> chainStarts = new HashMap<>();
    private int rememberFinished = Integer.MAX_VALUE;
    /**
     * Every snapshot at or below this id that is not pending is settled: finished and forgotten, or skipped by a
     * reader that assembles only later ones. Triggers are read in offset order, so no new one can come below it.
     */
    private long settledUpTo = -1;
    /** Whether each snapshot's verdict is logged at debug only (a prune reads the whole history). */
    private boolean quiet;

    /** An assembler that cannot read the bases of incremental fragments back: for readers given whole chains. */
    Assembler(ConsistencyChecker checker, Duration timeout) {
        this(checker, timeout, FragmentChains.NONE);
    }

    /** @param bases reads the base of an incremental fragment that this assembler has not been fed */
    Assembler(ConsistencyChecker checker, Duration timeout, FragmentChains.Source bases) {
        this.checker = checker;
        this.timeoutMillis = timeout.toMillis();
        this.chains = new FragmentChains(bases);
    }

    /**
     * Remembers only the last {@code n} finished snapshots by status, so that a reader that runs for days holds a
     * bounded amount per snapshot; older ones are only known to be finished. Returns this.
     */
    Assembler rememberFinished(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("rememberFinished must be at least 1, got " + n);
        }
        this.rememberFinished = n;
        return this;
    }

    /**
     * Snapshots up to {@code snapshot} are not to be assembled by this reader (it assembles later ones only): their
     * fragments are passed over. For a reader that reads the control topic in offset order.
     */
    void skipUpTo(long snapshot) {
        settledUpTo = Math.max(settledUpTo, snapshot);
        early.keySet().removeIf(id -> id <= snapshot && !pending.containsKey(id));
        chainStarts.keySet().removeIf(id -> id <= snapshot && !pending.containsKey(id));
    }

    /** Logs each snapshot's verdict at debug rather than info or warn; returns this. */
    Assembler quiet() {
        this.quiet = true;
        return this;
    }

    void onSnapshotStart(Membership.SnapshotStart start) {
        if (pending.containsKey(start.snapshot()) || isSettled(start.snapshot())) {
            return;
        }
        Pending snapshot = new Pending(start);
        pending.put(start.snapshot(), snapshot);
        List<Outcome> waiting = early.remove(start.snapshot());
        if (waiting != null) {
            waiting.forEach(outcome -> apply(snapshot, outcome));
        }
    }

    /**
     * A member gave the snapshot up: it is {@code failed} with that reason, unless every member's fragment is already
     * there (a member may abort after publishing, e.g. when it restarts before noting the publication; the
     * fragments still make a whole, checked snapshot). For a reader that has read the collection topic up to the end
     * it had when the abort was read (or will have before it asks {@link #ready}).
     */
    void onAbort(ControlRecord.Abort abort) {
        onAbort(abort, 0);
    }

    /**
     * As {@link #onAbort(ControlRecord.Abort)}, for a reader that follows both topics at once and may read the abort
     * before fragments written earlier.
     *
     * @param collectionEndAtAbort the collection topic's end offset read after the abort was: every fragment published
     *                             before the abort was written lies below it, so the snapshot is judged failed only
     *                             once the reader has read that far and a fragment is still missing
     */
    void onAbort(ControlRecord.Abort abort, long collectionEndAtAbort) {
        Pending snapshot = pending.get(abort.snapshot());
        if (snapshot != null) {
            if (snapshot.abort == null) {
                snapshot.abort = abort;
                snapshot.abortJudgedFrom = collectionEndAtAbort;
            }
        } else if (isSettled(abort.snapshot())) {
            LOG.info("snapshot {} was aborted by {} ({}) after it was {}", abort.snapshot(), abort.process(),
                    abort.reason(), settledAs(abort.snapshot()));
        }
    }

    /** The snapshots still being assembled, as {@code in-progress} documents with the fragments so far. */
    List<GlobalSnapshot> inProgress(long nowMillis) {
        List<GlobalSnapshot> result = new ArrayList<>();
        for (Pending snapshot : pending.values()) {
            List<String> waiting = snapshot.start.members().keySet().stream()
                    .filter(m -> !snapshot.fragments.containsKey(m) && !snapshot.unusable.containsKey(m)).toList();
            result.add(document(snapshot, Status.IN_PROGRESS, null, "waiting for the fragments of " + waiting,
                    nowMillis, new GlobalSnapshot.Consistency(false, List.of())));
        }
        return result;
    }

    void onFragmentRecord(ConsumerRecord<byte[], byte[]> record) {
        for (Outcome read : reassembler.accept(record)) {
            if (read instanceof Assembled a && a.fragment().isIncremental()
                    && (pending.containsKey(a.fragment().snapshot()) || !isSettled(a.fragment().snapshot()))) {
                chainStarts.merge(a.fragment().snapshot(), a.fragment().base().fullOffset(), Math::min);
            }
            Outcome outcome = chains.resolve(read);
            Optional<FragmentKey> key = outcome.fragmentKey();
            if (key.isEmpty()) {
                continue; // the reassembler has logged it; without a key it belongs to no snapshot
            }
            long id = key.get().snapshot();
            Pending snapshot = pending.get(id);
            if (snapshot != null) {
                apply(snapshot, outcome);
            } else if (finished.containsKey(id)) {
                LOG.info("fragment of {} for snapshot {} arrived at offset {} after the snapshot was {}; not used",
                        key.get().process(), id, outcome.offset(), settledAs(id));
            } else if (isSettled(id)) {
                // A snapshot passed over on purpose or long finished: its fragments are expected, and not news.
                LOG.debug("fragment of {} for snapshot {} at offset {}: the snapshot was {}; not used",
                        key.get().process(), id, outcome.offset(), settledAs(id));
            } else {
                early.computeIfAbsent(id, k -> new ArrayList<>()).add(outcome);
            }
        }
    }

    /**
     * Snapshots whose every member's fragment has arrived (usable or not), or that can never complete because their
     * initiator is not a member. Fragments of snapshot ids the control topic has passed without a trigger are dropped
     * with a warning.
     *
     * @param controlPosition the next control-topic offset to be read
     */
    List<GlobalSnapshot> ready(long controlPosition) {
        return ready(controlPosition, Long.MAX_VALUE);
    }

    /**
     * As {@link #ready(long)}, for a reader that follows the collection topic too.
     *
     * @param collectionPosition the next collection-topic offset to be read
     */
    List<GlobalSnapshot> ready(long controlPosition, long collectionPosition) {
        dropOrphans(controlPosition);
        List<GlobalSnapshot> result = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending snapshot = it.next();
            Membership.SnapshotStart start = snapshot.start;
            if (start.members().isEmpty()) {
                it.remove();
                result.add(failed(snapshot, "no-members", "no process had joined when it was triggered",
                        start.triggeredAt()));
            } else if (start.initiatorIsNotAMember()) {
                LOG.warn("snapshot {} names initiator {}, which is not a member (members: {}); nobody will record it",
                        start.snapshot(), start.initiator().get(), start.members().keySet());
                it.remove();
                result.add(failed(snapshot, "initiator-not-a-member", "initiator " + start.initiator().get()
                        + " is not a member; members: " + start.members().keySet(), start.triggeredAt()));
            } else if (snapshot.allArrived()) {
                it.remove();
                if (snapshot.unusable.isEmpty()) {
                    result.add(finish(snapshot, snapshot.lastFragmentAt));
                } else {
                    result.add(finish(snapshot, Status.INCOMPLETE, "fragment-unusable",
                            "unusable fragment(s): " + snapshot.unusable, snapshot.lastFragmentAt));
                }
            } else if (snapshot.abort != null && collectionPosition >= snapshot.abortJudgedFrom) {
                it.remove();
                ControlRecord.Abort abort = snapshot.abort;
                result.add(failed(snapshot, abort.reason(), "aborted by " + abort.process()
                        + (abort.detail().isEmpty() ? "" : ": " + abort.detail()), Math.max(start.triggeredAt(),
                        snapshot.lastFragmentAt)));
            }
        }
        return result;
    }

    /** Whether some snapshot's deadline has passed at {@code nowMillis}. */
    boolean hasOverdue(long nowMillis) {
        return pending.values().stream().anyMatch(p -> deadline(p) <= nowMillis);
    }

    /**
     * Snapshots whose deadline has passed. Call only once the collection topic has been read up to its end after the
     * deadline, so that replaying an old log finds finished snapshots complete rather than timed out.
     */
    List<GlobalSnapshot> expire(long nowMillis) {
        List<GlobalSnapshot> result = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending snapshot = it.next();
            if (deadline(snapshot) <= nowMillis) {
                it.remove();
                List<String> missing = snapshot.start.members().keySet().stream()
                        .filter(m -> !snapshot.fragments.containsKey(m) && !snapshot.unusable.containsKey(m)).toList();
                result.add(finish(snapshot, Status.TIMED_OUT, "timed-out", "no fragment within "
                        + timeoutMillis + " ms from " + missing, deadline(snapshot)));
            }
        }
        return result;
    }

    /**
     * The members of {@code snapshot} whose fragment has arrived intact so far; empty once the snapshot is finished or
     * if it is unknown. A reader looking for one snapshot stops reading once it holds every member's.
     */
    Set<String> intact(long snapshot) {
        Pending p = pending.get(snapshot);
        return p == null ? Set.of() : Set.copyOf(p.fragments.keySet());
    }

    /**
     * The lowest offset of the collection topic that the incremental fragments read so far of {@code snapshot} need
     * (where the full fragment of their chain begins); {@link Long#MAX_VALUE} if none of them is incremental.
     */
    long chainStart(long snapshot) {
        return chainStarts.getOrDefault(snapshot, Long.MAX_VALUE);
    }

    /** Whether a trigger for {@code snapshot} has been seen. */
    boolean knows(long snapshot) {
        return pending.containsKey(snapshot) || isSettled(snapshot);
    }

    /** Whether {@code snapshot} is finished (remembered or not) or was skipped: nothing more comes of it here. */
    boolean isSettled(long snapshot) {
        return finished.containsKey(snapshot) || (snapshot <= settledUpTo && !pending.containsKey(snapshot));
    }

    private String settledAs(long snapshot) {
        Status status = finished.get(snapshot);
        return status != null ? "assembled as " + status.wire() : "settled (finished long ago, or not assembled here)";
    }

    private long deadline(Pending snapshot) {
        return snapshot.start.triggeredAt() + timeoutMillis;
    }

    private void apply(Pending snapshot, Outcome outcome) {
        long id = snapshot.start.snapshot();
        String process = outcome.fragmentKey().orElseThrow().process();
        if (!snapshot.start.members().containsKey(process)) {
            LOG.warn("fragment at offset {} is from {}, which is not a member of snapshot {} (members: {}); not used",
                    outcome.offset(), process, id, snapshot.start.members().keySet());
            return;
        }
        if (outcome instanceof Assembled assembled) {
            Fragment existing = snapshot.fragments.get(process);
            if (existing == null) {
                snapshot.fragments.put(process, assembled.fragment());
                if (snapshot.unusable.remove(process) != null) {
                    LOG.info("fragment of {} for snapshot {} arrived intact at offset {} after an unusable copy; using it",
                            process, id, outcome.offset());
                }
            } else if (!existing.equals(assembled.fragment())) {
                LOG.warn("second, different fragment of {} for snapshot {} at offset {}; keeping the first",
                        process, id, outcome.offset());
            }
        } else if (outcome instanceof Unusable unusable && !snapshot.fragments.containsKey(process)) {
            snapshot.unusable.put(process, unusable.reason());
        }
        snapshot.lastFragmentAt = Math.max(snapshot.lastFragmentAt, outcome.timestamp());
    }

    private void dropOrphans(long controlPosition) {
        for (Iterator<Map.Entry<Long, List<Outcome>>> it = early.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, List<Outcome>> entry = it.next();
            if (entry.getKey() < controlPosition) {
                it.remove();
                chainStarts.remove(entry.getKey());
                for (Outcome outcome : entry.getValue()) {
                    LOG.warn("fragment {} at offset {} is for snapshot {}, but control offset {} is not a trigger; "
                            + "not used", outcome.key(), outcome.offset(), entry.getKey(), entry.getKey());
                }
            }
        }
    }

    /** Every fragment arrived intact: complete, or inconsistent if a rule is violated. */
    private GlobalSnapshot finish(Pending snapshot, long completedAt) {
        GlobalSnapshot.Consistency consistency = checker.check(snapshot.start.snapshot(), snapshot.start.members(),
                snapshot.fragments);
        if (consistency.violations().isEmpty()) {
            return record(document(snapshot, Status.COMPLETE, null, "", completedAt, consistency));
        }
        return record(document(snapshot, Status.INCONSISTENT, "rule-violated",
                consistency.violations().size() + " violation(s) of rules 1-3", completedAt, consistency));
    }

    private GlobalSnapshot failed(Pending snapshot, String reason, String detail, long completedAt) {
        abandonMissing(snapshot, Status.FAILED);
        return record(document(snapshot, Status.FAILED, reason, detail, completedAt,
                new GlobalSnapshot.Consistency(false, List.of())));
    }

    private GlobalSnapshot finish(Pending snapshot, Status status, String reason, String detail, long completedAt) {
        abandonMissing(snapshot, status);
        GlobalSnapshot.Consistency consistency = checker.check(snapshot.start.snapshot(), snapshot.start.members(),
                snapshot.fragments);
        return record(document(snapshot, status, reason, detail, completedAt, consistency));
    }

    private void abandonMissing(Pending snapshot, Status status) {
        long id = snapshot.start.snapshot();
        for (String member : snapshot.start.members().keySet()) {
            if (!snapshot.fragments.containsKey(member) && !snapshot.unusable.containsKey(member)) {
                String key = new FragmentKey(id, member).toString();
                String detail = reassembler.abandon(key).orElse("no chunk arrived");
                LOG.info("snapshot {} finished as {} without the fragment of {}: {}", id, status.wire(), member,
                        detail);
            }
        }
    }

    private GlobalSnapshot record(GlobalSnapshot result) {
        finished.put(result.snapshot(), result.status());
        while (finished.size() > rememberFinished) {
            long forgotten = finished.pollFirstEntry().getKey();
            settledUpTo = Math.max(settledUpTo, forgotten);
            chainStarts.remove(forgotten);
        }
        if (quiet) {
            LOG.debug("snapshot {} {}: {} members, {} {}", result.snapshot(), result.status().wire(),
                    result.members().size(), result.reason(), result.detail());
        } else if (result.status() == Status.COMPLETE && result.consistency().violations().isEmpty()) {
            LOG.info("snapshot {} complete: {} members, {} in-flight messages, {}", result.snapshot(),
                    result.members().size(), result.inFlightMessageCount(),
                    result.consistency().checked() ? "consistent" : "channels not checked here");
        } else {
            LOG.warn("snapshot {} {}: {} members, {} {}, checked={}, violations: {}", result.snapshot(),
                    result.status().wire(), result.members().size(), result.reason(), result.detail(),
                    result.consistency().checked(), result.consistency().violations());
        }
        return result;
    }

    private static GlobalSnapshot document(Pending snapshot, Status status, String reason, String detail,
                                           long completedAt, GlobalSnapshot.Consistency consistency) {
        Membership.SnapshotStart start = snapshot.start;
        Map<String, GlobalSnapshot.ProcessState> processes = new TreeMap<>();
        Map<String, GlobalSnapshot.ChannelState> channels = new TreeMap<>();
        snapshot.fragments.forEach((process, fragment) -> {
            processes.put(process, new GlobalSnapshot.ProcessState(fragment.state(), fragment.recordedAt(),
                    fragment.timeline()));
            fragment.in().forEach((topic, in) -> channels.put(topic, new GlobalSnapshot.ChannelState(
                    sender(start.members(), topic), process, in.recordedFrom(), in.markerOffset(), in.messages())));
        });
        return new GlobalSnapshot(GlobalSnapshot.VERSION, start.snapshot(), status, reason, detail,
                start.triggeredAt(), completedAt, new ArrayList<>(start.members().keySet()), processes, channels,
                consistency);
    }

    private static String sender(Map<String, ControlRecord.Join> members, String topic) {
        return members.entrySet().stream()
                .filter(e -> e.getValue().out().contains(topic))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(null);
    }

    private static final class Pending {
        final Membership.SnapshotStart start;
        final Map<String, Fragment> fragments = new TreeMap<>();
        final Map<String, String> unusable = new TreeMap<>();
        ControlRecord.Abort abort;
        /** The collection offset a reader must have read up to before the abort can fail the snapshot. */
        long abortJudgedFrom;
        long lastFragmentAt;

        Pending(Membership.SnapshotStart start) {
            this.start = start;
        }

        boolean allArrived() {
            return start.members().keySet().stream()
                    .allMatch(m -> fragments.containsKey(m) || unusable.containsKey(m));
        }
    }
}
