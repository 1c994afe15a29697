package io.kafkasnap.tools.dashboard;

import io.kafkasnap.tools.SnapshotCheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkasnap.format.Fragment;
import io.kafkasnap.collect.GlobalSnapshot;
import io.kafkasnap.format.Membership;
import io.kafkasnap.collect.RestoreHistory;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything the dashboard shows, built from Kafka records alone: the topology from the control topic's joins and
 * leaves, the snapshots in progress from triggers and fragment keys, the assembled snapshots from the collector,
 * lag from the status topic and the channels' end offsets.
 *
 * <p>Summaries are kept for the last {@code maxSummaries} snapshots, full snapshots (for details on click) for the
 * last {@code maxDetails}; memory is bounded by those two numbers and the topology. Thread-safe: one reader thread
 * feeds it, HTTP threads read it.
 */
final class DashboardState {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** A node whose last status is older than this is shown as down (nodes publish every few seconds). */
    static final long DOWN_AFTER_MS = 15_000;
    /** Per process, state values are shown in full up to this many keys; beyond, the first ones and a count. */
    static final int STATE_KEYS_SHOWN = 50;
    static final int VALUE_CHARS_SHOWN = 500;
    static final int MESSAGES_SHOWN = 500;

    private final int maxSummaries;
    private final int maxDetails;
    private final long startedAt;
    private final Membership membership = new Membership();
    private final RestoreHistory restores = new RestoreHistory();
    private boolean restoresChanged;
    /** The page lists the newest restores; older ones are in 'kafkasnap snapshots list'. */
    static final int RESTORES_SHOWN = 100;
    private final Map<String, ProcessInfo> processes = new TreeMap<>();
    private final Map<String, StatusRecord> statuses = new HashMap<>();
    private final Map<String, ChannelRate> ends = new HashMap<>();
    private final TreeMap<Long, Progress> inProgress = new TreeMap<>();
    private final TreeMap<Long, SnapshotSummary> summaries = new TreeMap<>();
    private final LinkedHashMap<Long, GlobalSnapshot> details = new LinkedHashMap<>();
    private final Map<Long, Long> bytesBySnapshot = new HashMap<>();
    private boolean statusTopicSeen;
    /** Snapshots already assembled, so a trigger read after its result is not shown in progress forever. */
    private final TreeSet<Long> finished = new TreeSet<>();
    private static final int FINISHED_KEPT = 10_000;

    /** The newest malformed control records are listed on the page; older ones only counted. */
    static final int MALFORMED_SHOWN = 20;
    private final java.util.ArrayDeque<Malformed> malformed = new java.util.ArrayDeque<>();
    private long malformedCount;

    private record Malformed(long offset, long at, String reason) {
    }

    private static final class ProcessInfo {
        final String id;
        List<String> in = List.of();
        List<String> out = List.of();
        int joins;
        long joinedAt;
        Long leftAt;

        ProcessInfo(String id) {
            this.id = id;
        }
    }

    private static final class ChannelRate {
        long end;
        long at;
        Double perSecond;
    }

    private static final class Progress {
        final Membership.SnapshotStart start;
        final Set<String> published = new TreeSet<>();

        Progress(Membership.SnapshotStart start) {
            this.start = start;
        }
    }

    DashboardState(int maxSummaries, int maxDetails, long startedAt) {
        this.maxSummaries = maxSummaries;
        this.maxDetails = maxDetails;
        this.startedAt = startedAt;
    }

    /** A control record at {@code offset}; returns whether the topology changed. */
    synchronized boolean onControl(long offset, long timestamp, byte[] value) {
        ControlRecord record;
        try {
            record = ControlRecord.parse(value);
        } catch (MalformedControlRecordException e) {
            // the collector logs it; the page shows it too, since whoever looks at the page rarely reads the logs
            malformed.addLast(new Malformed(offset, timestamp, String.valueOf(e.getMessage())));
            malformedCount++;
            while (malformed.size() > MALFORMED_SHOWN) {
                malformed.removeFirst();
            }
            return true;
        }
        Optional<Membership.SnapshotStart> start = membership.accept(offset, timestamp, record);
        restoresChanged |= !restores.accept(offset, timestamp, record).isEmpty();
        start.filter(s -> !finished.contains(s.snapshot()) && !forgotten(s.snapshot()))
                .ifPresent(s -> inProgress.put(s.snapshot(), new Progress(s)));
        if (record instanceof ControlRecord.Join join) {
            ProcessInfo info = processes.computeIfAbsent(join.process(), ProcessInfo::new);
            info.in = join.in();
            info.out = join.out();
            info.joins++;
            info.joinedAt = timestamp;
            info.leftAt = null;
            return true;
        }
        if (record instanceof ControlRecord.Leave leave) {
            ProcessInfo info = processes.get(leave.process());
            if (info != null) {
                info.leftAt = timestamp;
                return true;
            }
        }
        return start.isPresent();
    }

    /**
     * A record of the collection topic: key {@code <snapshot>/<process>}, the i-th of n chunks. Counted for sizes and
     * progress only; the collector assembles the fragments.
     */
    synchronized Optional<SnapshotSummary> onFragmentRecord(byte[] key, int valueBytes, String chunkHeader) {
        if (key == null) {
            return Optional.empty();
        }
        String text = new String(key, StandardCharsets.UTF_8);
        int slash = text.indexOf('/');
        long snapshot;
        try {
            snapshot = Long.parseLong(text.substring(0, Math.max(slash, 0)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        String process = text.substring(slash + 1);
        if (forgotten(snapshot)) {
            return Optional.empty();
        }
        long bytes = bytesBySnapshot.merge(snapshot, (long) valueBytes, Long::sum);
        Progress progress = inProgress.get(snapshot);
        if (progress != null && isLastChunk(chunkHeader)) {
            progress.published.add(process);
        }
        SnapshotSummary summary = summaries.get(snapshot);
        if (summary != null) {
            // the collector's consumer may have been ahead of this one
            SnapshotSummary updated = summary.withBytes(bytes);
            summaries.put(snapshot, updated);
            return Optional.of(updated);
        }
        return Optional.empty();
    }

    private static boolean isLastChunk(String header) {
        if (header == null) {
            return true;
        }
        int slash = header.indexOf('/');
        try {
            return Integer.parseInt(header.substring(0, slash)) + 1 == Integer.parseInt(header.substring(slash + 1));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A status record (null value: the node stopped cleanly). */
    synchronized void onStatus(String process, byte[] value) {
        statusTopicSeen = true;
        if (value == null) {
            statuses.remove(process);
            return;
        }
        StatusRecord.parse(value).ifPresent(s -> statuses.put(s.process(), s));
    }

    /** The channels' end offsets sampled at {@code now}; rates are the growth since the previous sample. */
    synchronized void onEndOffsets(Map<String, Long> endOffsets, long now) {
        endOffsets.forEach((topic, end) -> {
            ChannelRate rate = ends.get(topic);
            if (rate == null) {
                rate = new ChannelRate();
                ends.put(topic, rate);
            } else if (now > rate.at) {
                rate.perSecond = (end - rate.end) * 1000.0 / (now - rate.at);
            }
            rate.end = end;
            rate.at = now;
        });
    }

    /**
     * Whether the snapshot is older than everything this state still remembers, so that records of it read late (the
     * side consumer behind the collector) do not add entries that nothing would remove again.
     */
    private boolean forgotten(long id) {
        boolean summariesFull = summaries.size() >= maxSummaries && id < summaries.firstKey();
        boolean finishedFull = finished.size() >= FINISHED_KEPT && id < finished.first();
        return summariesFull && !summaries.containsKey(id) || finishedFull;
    }

    /** The snapshot has been assembled (whatever its status): it is no longer in progress. */
    synchronized void finished(long id) {
        inProgress.remove(id);
        finished.add(id);
        while (finished.size() > FINISHED_KEPT) {
            finished.pollFirst();
        }
    }

    synchronized SnapshotSummary onAssembled(GlobalSnapshot snapshot, SnapshotCheck.Verdict verdict, long now) {
        finished(snapshot.snapshot());
        Long toAssembled = snapshot.completedAt() >= startedAt ? now - snapshot.triggeredAt() : null;
        SnapshotSummary summary = SnapshotSummary.of(snapshot, verdict, toAssembled,
                bytesBySnapshot.getOrDefault(snapshot.snapshot(), 0L));
        summaries.put(snapshot.snapshot(), summary);
        while (summaries.size() > maxSummaries) {
            long oldest = summaries.firstKey();
            summaries.remove(oldest);
            bytesBySnapshot.remove(oldest);
        }
        details.remove(snapshot.snapshot());
        details.put(snapshot.snapshot(), snapshot);
        while (details.size() > maxDetails) {
            details.remove(details.keySet().iterator().next());
        }
        return summary;
    }

    synchronized Set<String> channelTopics() {
        Set<String> topics = new TreeSet<>();
        processes.values().forEach(p -> {
            topics.addAll(p.in);
            topics.addAll(p.out);
        });
        return topics;
    }

    synchronized ObjectNode overview(long now) {
        ObjectNode json = topology(now);
        ArrayNode history = json.putArray("snapshots");
        summaries.values().forEach(s -> history.add(MAPPER.valueToTree(s)));
        json.set("inProgress", progress(now));
        json.set("restores", restores());
        return json;
    }

    synchronized ObjectNode topology(long now) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("now", now);
        json.put("statusTopic", statusTopicSeen);
        ArrayNode procs = json.putArray("processes");
        Map<String, String> from = new TreeMap<>();
        Map<String, String> to = new TreeMap<>();
        for (ProcessInfo p : processes.values()) {
            ObjectNode n = procs.addObject();
            n.put("id", p.id);
            StatusRecord status = statuses.get(p.id);
            String state;
            if (p.leftAt != null) {
                state = "left";
            } else if (status != null && now - status.at() > DOWN_AFTER_MS) {
                state = "down";
            } else {
                state = p.joins > 1 ? "restarted" : "up";
            }
            n.put("state", state);
            n.put("joins", p.joins);
            n.put("joinedAt", p.joinedAt);
            if (p.leftAt != null) {
                n.put("leftAt", p.leftAt);
            }
            if (status != null) {
                n.put("statusAt", status.at());
                n.put("epoch", status.epoch());
                n.put("outbox", status.outbox());
                n.put("snapshotsInFlight", status.inFlight().size());
            }
        }
        // a channel is drawn from its live ends; a departed process keeps only channels that no live one took over
        for (boolean departed : new boolean[] {false, true}) {
            for (ProcessInfo p : processes.values()) {
                if ((p.leftAt != null) == departed) {
                    p.out.forEach(t -> from.putIfAbsent(t, p.id));
                    p.in.forEach(t -> to.putIfAbsent(t, p.id));
                }
            }
        }
        ObjectNode bad = json.putObject("malformedControl");
        bad.put("count", malformedCount);
        ArrayNode badRecords = bad.putArray("records");
        malformed.forEach(m -> badRecords.addObject().put("offset", m.offset()).put("at", m.at())
                .put("reason", m.reason()));
        ArrayNode channels = json.putArray("channels");
        Set<String> topics = new TreeSet<>(from.keySet());
        topics.addAll(to.keySet());
        for (String topic : topics) {
            ObjectNode c = channels.addObject();
            c.put("topic", topic);
            c.put("from", from.get(topic));
            c.put("to", to.get(topic));
            ChannelRate rate = ends.get(topic);
            if (rate != null) {
                c.put("end", rate.end);
                if (rate.perSecond != null) {
                    c.put("rate", Math.round(rate.perSecond * 10) / 10.0);
                }
            }
            ProcessInfo receiverInfo = to.get(topic) == null ? null : processes.get(to.get(topic));
            boolean receiverLeft = receiverInfo != null && receiverInfo.leftAt != null;
            if (receiverLeft) {
                c.put("receiverLeft", true);
            }
            // the last position of a receiver that left is no lag anybody will work off
            StatusRecord receiver = to.get(topic) == null || receiverLeft ? null : statuses.get(to.get(topic));
            Long position = receiver == null ? null : receiver.positions().get(topic);
            if (position != null) {
                c.put("position", position);
                if (rate != null) {
                    c.put("lag", Math.max(0, rate.end - position));
                }
            }
        }
        return json;
    }

    synchronized ArrayNode progress(long now) {
        ArrayNode list = MAPPER.createArrayNode();
        for (Progress p : inProgress.values()) {
            ObjectNode n = list.addObject();
            n.put("id", p.start.snapshot());
            n.put("triggeredAt", p.start.triggeredAt());
            n.put("ageMs", Math.max(0, now - p.start.triggeredAt()));
            ArrayNode members = n.putArray("members");
            ArrayNode published = n.putArray("published");
            ArrayNode missing = n.putArray("missingMembers");
            ArrayNode channels = n.putArray("missingChannels");
            p.start.members().forEach((id, join) -> {
                members.add(id);
                if (p.published.contains(id)) {
                    published.add(id);
                } else {
                    missing.add(id);
                    // a receiver publishes once the markers of all its incoming channels have arrived
                    join.in().forEach(channels::add);
                }
            });
        }
        return list;
    }

    private synchronized List<Long> restoresTo(long snapshot) {
        return restores.restoresTo(snapshot).stream().map(RestoreHistory.Restore::epoch).toList();
    }

    /** Whether a restore was written or advanced since the last call. */
    synchronized boolean takeRestoresChanged() {
        boolean changed = restoresChanged;
        restoresChanged = false;
        return changed;
    }

    /** The newest restores, oldest first, with who has restored and who is missing. */
    synchronized ArrayNode restores() {
        ArrayNode list = MAPPER.createArrayNode();
        List<RestoreHistory.Restore> all = restores.restores();
        for (RestoreHistory.Restore r : all.subList(Math.max(0, all.size() - RESTORES_SHOWN), all.size())) {
            ObjectNode n = list.addObject();
            n.put("epoch", r.epoch());
            n.put("snapshot", r.snapshot());
            n.put("writtenAt", r.writtenAt());
            n.put("allowNewMembers", r.allowNewMembers());
            ArrayNode expected = n.putArray("expected");
            r.expected().forEach(expected::add);
            ArrayNode restored = n.putArray("restored");
            r.restoredMembers().forEach(restored::add);
            ArrayNode missing = n.putArray("missing");
            r.missing().forEach(missing::add);
            n.put("done", r.isDone());
            n.put("state", r.state());
            r.duration().ifPresent(d -> n.put("durationMs", d.toMillis()));
            r.supersededBy().ifPresent(e -> n.put("supersededBy", e));
        }
        return list;
    }

    synchronized double inProgressCount() {
        return inProgress.size();
    }

    /** The channel's lag in records, NaN when its end offset or its receiver's position is not known. */
    synchronized double lag(String topic) {
        ChannelRate rate = ends.get(topic);
        String receiver = null;
        for (ProcessInfo p : processes.values()) {
            if (p.leftAt == null && p.in.contains(topic)) {
                receiver = p.id;
            }
        }
        StatusRecord status = receiver == null ? null : statuses.get(receiver);
        Long position = status == null ? null : status.positions().get(topic);
        return rate == null || position == null ? Double.NaN : Math.max(0, rate.end - position);
    }

    synchronized boolean hasProgress() {
        return !inProgress.isEmpty();
    }

    synchronized Optional<SnapshotSummary> summary(long id) {
        return Optional.ofNullable(summaries.get(id));
    }

    synchronized Optional<GlobalSnapshot> snapshot(long id) {
        return Optional.ofNullable(details.get(id));
    }

    /** States (large ones cut short) and per-channel counts; the messages are fetched per channel. */
    Optional<ObjectNode> detail(long id) {
        Optional<GlobalSnapshot> found = snapshot(id);
        Optional<SnapshotSummary> summary = summary(id);
        if (found.isEmpty() || summary.isEmpty()) {
            return Optional.empty();
        }
        GlobalSnapshot snapshot = found.get();
        ObjectNode json = MAPPER.createObjectNode();
        json.set("summary", MAPPER.valueToTree(summary.get()));
        ArrayNode members = json.putArray("members");
        snapshot.members().forEach(members::add);
        ArrayNode missing = json.putArray("missingMembers");
        snapshot.missingMembers().forEach(missing::add);
        ObjectNode procs = json.putObject("processes");
        snapshot.processes().forEach((process, state) -> {
            ObjectNode p = procs.putObject(process);
            p.put("recordedAt", state.recordedAt());
            // in ms after the trigger record, as the page draws it; absent for fragments written without one
            state.timelineIfAny().ifPresent(timeline -> {
                ObjectNode points = p.putObject("timeline");
                points.put("startedBy", timeline.startedBy());
                timeline.points().forEach((point, at) -> points.put(point, at - snapshot.triggeredAt()));
            });
            p.put("keys", state.state().size());
            long size = 0;
            ObjectNode shown = p.putObject("state");
            int n = 0;
            for (Map.Entry<String, JsonNode> e : state.state().entrySet()) {
                String text = e.getValue().toString();
                size += e.getKey().length() + text.length();
                if (n++ < STATE_KEYS_SHOWN) {
                    shown.set(e.getKey(), text.length() <= VALUE_CHARS_SHOWN ? e.getValue()
                            : MAPPER.getNodeFactory().textNode(text.substring(0, VALUE_CHARS_SHOWN) + "…"));
                }
            }
            p.put("jsonChars", size);
            p.put("truncated", state.state().size() > STATE_KEYS_SHOWN);
        });
        ObjectNode channels = json.putObject("channels");
        snapshot.channels().forEach((topic, channel) -> {
            ObjectNode c = channels.putObject(topic);
            c.put("from", channel.from());
            c.put("to", channel.to());
            c.put("recordedFrom", channel.recordedFrom());
            c.put("markerOffset", channel.markerOffset());
            c.put("count", channel.messages().size());
        });
        ArrayNode restoredBy = json.putArray("restoredBy");
        restoresTo(id).forEach(restoredBy::add);
        ArrayNode violations = json.putArray("violations");
        snapshot.consistency().violations().forEach(v -> violations.add(v.toString()));
        return Optional.of(json);
    }

    Optional<ObjectNode> channelMessages(long id, String topic) {
        Optional<GlobalSnapshot.ChannelState> channel = snapshot(id).flatMap(s -> s.channel(topic));
        if (channel.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode json = MAPPER.createObjectNode();
        json.put("snapshot", id);
        json.put("topic", topic);
        List<Fragment.Message> messages = channel.get().messages();
        json.put("total", messages.size());
        ArrayNode list = json.putArray("messages");
        for (Fragment.Message m : messages.subList(0, Math.min(MESSAGES_SHOWN, messages.size()))) {
            ObjectNode n = list.addObject();
            n.put("offset", m.offset());
            n.set("key", m.key());
            n.set("value", m.value());
        }
        return Optional.of(json);
    }
}
