package io.kafkasnap.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the control topic says up to a point, read in offset order: the membership of every snapshot, who joined when,
 * and whether each restore counts (DESIGN.md, "Restore"). A restore at offset E to snapshot S counts when S is a
 * trigger before E with at least one member, and every process that joined after S's trigger and before E (running,
 * down or gone since) is a member of S, or the record allows new members. The verdict depends on the control topic up
 * to E alone, so every node and every reader reaches the same one, whenever it reads.
 *
 * <p>Not thread-safe: one reader feeds it.
 */
public final class ControlHistory {

    /**
     * The verdict on the restore record at control offset {@code epoch}.
     *
     * @param members    the members of the snapshot (empty if it is no snapshot)
     * @param newMembers processes that joined after the snapshot's trigger and before the restore, not members of it
     * @param voidReason why the restore is void at every node, empty if it counts
     */
    public record RestoreVerdict(long epoch, long snapshot, boolean allowNewMembers, Set<String> members,
                                 Set<String> newMembers, Optional<String> voidReason) {
        public RestoreVerdict {
            members = Collections.unmodifiableSortedSet(new TreeSet<>(members));
            newMembers = Collections.unmodifiableSortedSet(new TreeSet<>(newMembers));
        }

        public boolean counts() {
            return voidReason.isEmpty();
        }
    }

    /**
     * What the control topic below the restore at {@code epoch} says of its snapshot: all a reader of the collection
     * topic needs to find and assemble it, so a node hands it over instead of reading the control topic again.
     *
     * @param restore the restore record at {@code epoch}
     * @param start   the snapshot's trigger with its members, as membership stood then
     * @param abort   the first abort of the snapshot below {@code epoch}
     */
    public record RestoreControl(long epoch, ControlRecord.Restore restore, Membership.SnapshotStart start,
                                 Optional<ControlRecord.Abort> abort) {
    }

    private record JoinAt(long offset, String process) {
    }

    private record AbortAt(long offset, ControlRecord.Abort abort) {
    }

    private final Membership membership = new Membership();
    private final Triggers triggers = new Triggers();
    private final Map<Long, AbortAt> firstAborts = new HashMap<>();
    private final Map<Long, ControlRecord.Restore> restoreRecords = new HashMap<>();
    private final List<JoinAt> joins = new ArrayList<>();
    private final Map<String, Long> firstJoin = new HashMap<>();
    private final TreeMap<Long, RestoreVerdict> restores = new TreeMap<>();

    /**
     * Takes the control record at {@code offset}; records at or below an offset already taken are ignored.
     *
     * @return the snapshot it starts, if it is a trigger
     */
    public Optional<Membership.SnapshotStart> accept(long offset, long timestamp, ControlRecord record) {
        if (offset < membership.nextOffset()) {
            return Optional.empty();
        }
        Optional<Membership.SnapshotStart> start = membership.accept(offset, timestamp, record);
        start.ifPresent(triggers::add);
        if (record instanceof ControlRecord.Join join) {
            joins.add(new JoinAt(offset, join.process()));
            firstJoin.putIfAbsent(join.process(), offset);
        } else if (record instanceof ControlRecord.Abort abort) {
            firstAborts.putIfAbsent(abort.snapshot(), new AbortAt(offset, abort));
        } else if (record instanceof ControlRecord.Restore restore) {
            restoreRecords.put(offset, restore);
            restores.put(offset, judge(offset, restore));
        }
        return start;
    }

    private RestoreVerdict judge(long epoch, ControlRecord.Restore restore) {
        long snapshot = restore.snapshot();
        Set<String> members = snapshot < epoch ? membersOf(snapshot).orElse(null) : null;
        if (members == null) {
            return new RestoreVerdict(epoch, snapshot, restore.allowNewMembers(), Set.of(), Set.of(),
                    Optional.of("control offset " + snapshot + " is not a snapshot trigger before the restore"));
        }
        if (members.isEmpty()) {
            return new RestoreVerdict(epoch, snapshot, restore.allowNewMembers(), members, Set.of(),
                    Optional.of("snapshot " + snapshot + " has no members"));
        }
        Set<String> newcomers = new TreeSet<>();
        for (JoinAt join : joins) {
            if (join.offset() > snapshot && join.offset() < epoch && !members.contains(join.process())) {
                newcomers.add(join.process());
            }
        }
        Optional<String> reason = newcomers.isEmpty() || restore.allowNewMembers() ? Optional.empty()
                : Optional.of(newcomers + " joined after snapshot " + snapshot + " and are not its members;"
                        + " a restore with allowNewMembers starts them from their initial state");
        return new RestoreVerdict(epoch, snapshot, restore.allowNewMembers(), members, newcomers, reason);
    }

    /** The verdict on the restore at control offset {@code epoch}, if there is a restore record there. */
    public Optional<RestoreVerdict> restoreAt(long epoch) {
        return Optional.ofNullable(restores.get(epoch));
    }

    /** The latest restore that counts, if any. */
    public Optional<RestoreVerdict> latestRestore() {
        return restores.descendingMap().values().stream().filter(RestoreVerdict::counts).findFirst();
    }

    /** The offset of the first join of {@code process}, if it ever joined. */
    public OptionalLong firstJoin(String process) {
        Long offset = firstJoin.get(process);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Whether {@code process} has a join record after {@code after} and before {@code before}. */
    public boolean joinedBetween(String process, long after, long before) {
        return joins.stream().anyMatch(j -> j.process().equals(process) && j.offset() > after && j.offset() < before);
    }

    /** The snapshots triggered at or after {@code sinceMillis} (by the trigger's timestamp) and their members. */
    public Map<Long, Set<String>> snapshotsSince(long sinceMillis) {
        return triggers.since(sinceMillis);
    }

    /** The members of the snapshot triggered at {@code snapshot}, if it is a trigger. */
    public Optional<Set<String>> membersOf(long snapshot) {
        return triggers.start(snapshot).map(s -> s.members().keySet());
    }

    /**
     * What the control topic below the restore at {@code epoch} says of its snapshot, read from this history
     * however far it has been read since; empty if there is no restore record at {@code epoch} or its snapshot is no
     * trigger before it.
     */
    public Optional<RestoreControl> restoreControl(long epoch) {
        ControlRecord.Restore restore = restoreRecords.get(epoch);
        Optional<Membership.SnapshotStart> start = restore == null || restore.snapshot() >= epoch ? Optional.empty()
                : triggers.start(restore.snapshot());
        if (start.isEmpty()) {
            return Optional.empty();
        }
        AbortAt abort = firstAborts.get(restore.snapshot());
        return Optional.of(new RestoreControl(epoch, restore, start.get(),
                Optional.ofNullable(abort).filter(a -> a.offset() < epoch).map(AbortAt::abort)));
    }

    /** The current members and their latest joins. */
    public Map<String, ControlRecord.Join> members() {
        return membership.members();
    }

    /** The offset after the last record taken. */
    public long nextOffset() {
        return membership.nextOffset();
    }

    /**
     * Every trigger read, in offset order, in a few bytes each: a restore may name any snapshot ever taken, so none
     * can be forgotten, and a node taking a snapshot a second reads 86,400 of them a day. A trigger keeps its offset,
     * its timestamp and which membership it saw; memberships are kept once for every run of triggers that saw the
     * same one. (With a copied member map each, a trigger of 50 members took 2.3 KB of heap, 200 MB a day at one
     * snapshot a second; now about 50 bytes, whatever the membership.)
     */
    private static final class Triggers {
        private long[] offsets = new long[64];
        private long[] timestamps = new long[64];
        private int[] memberships = new int[64];
        private int size;
        private final List<Map<String, ControlRecord.Join>> distinct = new ArrayList<>();
        /** Only the triggers that name an initiator. */
        private final Map<Long, String> initiators = new HashMap<>();

        void add(Membership.SnapshotStart start) {
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                timestamps = Arrays.copyOf(timestamps, size * 2);
                memberships = Arrays.copyOf(memberships, size * 2);
            }
            if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(start.members())) {
                distinct.add(start.members());
            }
            offsets[size] = start.snapshot();
            timestamps[size] = start.triggeredAt();
            memberships[size] = distinct.size() - 1;
            size++;
            start.initiator().ifPresent(initiator -> initiators.put(start.snapshot(), initiator));
        }

        Optional<Membership.SnapshotStart> start(long snapshot) {
            int i = Arrays.binarySearch(offsets, 0, size, snapshot);
            return i < 0 ? Optional.empty() : Optional.of(new Membership.SnapshotStart(snapshot, timestamps[i],
                    Optional.ofNullable(initiators.get(snapshot)), distinct.get(memberships[i])));
        }

        Map<Long, Set<String>> since(long sinceMillis) {
            Map<Long, Set<String>> recent = new TreeMap<>();
            for (int i = 0; i < size; i++) {
                if (timestamps[i] >= sinceMillis) {
                    recent.put(offsets[i], distinct.get(memberships[i]).keySet());
                }
            }
            return recent;
        }
    }
}
