package io.kafkasnap.collect;

import io.kafkasnap.collect.ChunkReassembler.Assembled;
import io.kafkasnap.collect.ChunkReassembler.Outcome;
import io.kafkasnap.collect.ChunkReassembler.Unusable;
import io.kafkasnap.collect.GlobalSnapshot.Status;
import io.kafkasnap.kafka.ControlRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    private final Map<Long, List<Outcome>> early = new HashMap<>();
    private final Map<Long, Status> finished = new HashMap<>();

    Assembler(ConsistencyChecker checker, Duration timeout) {
        this.checker = checker;
        this.timeoutMillis = timeout.toMillis();
    }

    void onSnapshotStart(Membership.SnapshotStart start) {
        if (pending.containsKey(start.snapshot()) || finished.containsKey(start.snapshot())) {
            return;
        }
        Pending snapshot = new Pending(start);
        pending.put(start.snapshot(), snapshot);
        List<Outcome> waiting = early.remove(start.snapshot());
        if (waiting != null) {
            waiting.forEach(outcome -> apply(snapshot, outcome));
        }
    }

    void onFragmentRecord(ConsumerRecord<byte[], byte[]> record) {
        for (Outcome outcome : reassembler.accept(record)) {
            Optional<FragmentKey> key = outcome.fragmentKey();
            if (key.isEmpty()) {
                continue; // the reassembler has logged it; without a key it belongs to no snapshot
            }
            long id = key.get().snapshot();
            Pending snapshot = pending.get(id);
            if (snapshot != null) {
                apply(snapshot, outcome);
            } else if (finished.containsKey(id)) {
                LOG.info("fragment of {} for snapshot {} arrived at offset {} after the snapshot was assembled as {}; "
                        + "not used", key.get().process(), id, outcome.offset(), finished.get(id).wire());
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
        dropOrphans(controlPosition);
        List<GlobalSnapshot> result = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending snapshot = it.next();
            Membership.SnapshotStart start = snapshot.start;
            if (start.initiatorIsNotAMember()) {
                LOG.warn("snapshot {} names initiator {}, which is not a member (members: {}); nobody will record it",
                        start.snapshot(), start.initiator().get(), start.members().keySet());
                it.remove();
                result.add(finish(snapshot, Status.INCOMPLETE, start.triggeredAt()));
            } else if (snapshot.allArrived()) {
                it.remove();
                Status status = snapshot.unusable.isEmpty() ? Status.COMPLETE : Status.INCOMPLETE;
                long completedAt = start.members().isEmpty() ? start.triggeredAt() : snapshot.lastFragmentAt;
                result.add(finish(snapshot, status, completedAt));
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
                result.add(finish(snapshot, Status.TIMED_OUT, deadline(snapshot)));
            }
        }
        return result;
    }

    /** Whether a trigger for {@code snapshot} has been seen. */
    boolean knows(long snapshot) {
        return pending.containsKey(snapshot) || finished.containsKey(snapshot);
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
                for (Outcome outcome : entry.getValue()) {
                    LOG.warn("fragment {} at offset {} is for snapshot {}, but control offset {} is not a trigger; "
                            + "not used", outcome.key(), outcome.offset(), entry.getKey(), entry.getKey());
                }
            }
        }
    }

    private GlobalSnapshot finish(Pending snapshot, Status status, long completedAt) {
        Membership.SnapshotStart start = snapshot.start;
        long id = start.snapshot();
        for (String member : start.members().keySet()) {
            if (!snapshot.fragments.containsKey(member) && !snapshot.unusable.containsKey(member)) {
                String key = new FragmentKey(id, member).toString();
                String detail = reassembler.abandon(key).orElse("no chunk arrived");
                LOG.warn("snapshot {} finished as {} without the fragment of {}: {}", id, status.wire(), member, detail);
            }
        }
        GlobalSnapshot.Consistency consistency = checker.check(id, start.members(), snapshot.fragments);
        Map<String, GlobalSnapshot.ProcessState> processes = new TreeMap<>();
        Map<String, GlobalSnapshot.ChannelState> channels = new TreeMap<>();
        snapshot.fragments.forEach((process, fragment) -> {
            processes.put(process, new GlobalSnapshot.ProcessState(fragment.state(), fragment.recordedAt()));
            fragment.in().forEach((topic, in) -> channels.put(topic, new GlobalSnapshot.ChannelState(
                    sender(start.members(), topic), process, in.recordedFrom(), in.markerOffset(), in.messages())));
        });
        GlobalSnapshot result = new GlobalSnapshot(GlobalSnapshot.VERSION, id, status, start.triggeredAt(), completedAt,
                new ArrayList<>(start.members().keySet()), processes, channels, consistency);
        finished.put(id, status);
        if (result.isConsistent()) {
            LOG.info("snapshot {} {}: {} members, {} in-flight messages, consistent", id, status.wire(),
                    result.members().size(), result.inFlightMessageCount());
        } else {
            LOG.warn("snapshot {} {}: {} members, checked={}, violations: {}", id, status.wire(), result.members().size(),
                    consistency.checked(), consistency.violations());
        }
        return result;
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
