package io.kafkasnap.testkit;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeTask;
import io.kafkasnap.api.RecordHandler;
import io.kafkasnap.engine.ChannelOutput;
import io.kafkasnap.engine.ControlLog;
import io.kafkasnap.engine.FragmentSink;
import io.kafkasnap.engine.InputControl;
import io.kafkasnap.engine.InputRecord;
import io.kafkasnap.engine.NodeEngine;
import io.kafkasnap.engine.RestoreTarget;
import io.kafkasnap.engine.SnapshotSource;
import io.kafkasnap.engine.StatusSink;
import io.kafkasnap.engine.Time;
import io.kafkasnap.format.ChannelHeaders;
import io.kafkasnap.format.ControlRecord;
import io.kafkasnap.format.MalformedControlRecordException;
import io.kafkasnap.protocol.LocalSnapshot.ChannelCut;
import io.kafkasnap.store.InMemoryNodeStore;
import io.kafkasnap.store.OutboxEntry;
import io.kafkasnap.store.RecordedRecord;
import io.kafkasnap.store.StateCapture;
import io.kafkasnap.store.StoredHeader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Runs a service's {@link RecordHandler}, onStart tasks and timers on the node's own engine ({@link NodeEngine}, the
 * code a {@code SnapshotNode} runs) over an in-memory store, with in-memory channels, an in-memory control log and
 * simulated time: no broker, no threads, no waiting. Every call returns once the node has done all it can with what
 * it was given, so a test asserts right after it.
 *
 * <pre>{@code
 * try (HandlerTestDriver driver = HandlerTestDriver.builder("counter")
 *         .incoming("orders").outgoing("totals")
 *         .handler((ctx, record) -> {
 *             long total = ctx.state().getLong("total", 0) + Long.parseLong(new String(record.value(), UTF_8));
 *             ctx.state().putLong("total", total);
 *             ctx.send("totals", Long.toString(total).getBytes(UTF_8));
 *         })
 *         .build()) {
 *     driver.pipe("orders", "a", "5");
 *     assertThat(driver.stateAsLong("total")).isEqualTo(5);
 *     assertThat(driver.readSent("totals")).extracting(TestRecord::valueAsString).containsExactly("5");
 * }
 * }</pre>
 *
 * <p>Each incoming channel has a simulated sender upstream, a member of the snapshot group: {@link #pipe} stamps
 * records as that sender would ({@code kafkasnap-epoch}, {@code kafkasnap-seq}), and in a snapshot it sends its
 * marker on the channel. Whatever the node sends is acknowledged at once, so its outbox drains. Not thread-safe: use
 * a driver from one thread at a time.
 */
public final class HandlerTestDriver implements AutoCloseable {

    /** Where simulated time starts, unless the builder says otherwise. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private record ControlEntry(long offset, long timestamp, byte[] value) {
    }

    private interface Event {
        void run() throws Exception;
    }

    private final String processId;
    private final Set<String> incoming;
    private final Set<String> outgoing;
    private final InMemoryNodeStore store = new InMemoryNodeStore();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final NodeEngine engine;
    private final long baseMillis;
    private long nanos;

    private final List<ControlEntry> control = new ArrayList<>();
    private int controlRead;
    private final Map<String, List<TestRecord>> in = new TreeMap<>();
    private final Map<String, Long> inRead = new HashMap<>();
    private final Set<String> paused = new HashSet<>();
    /** The simulated upstream sender of each incoming channel: its epoch and next sequence number. */
    private final Map<String, long[]> senders = new HashMap<>();
    private final Map<String, List<TestRecord>> out = new TreeMap<>();
    private final Map<String, Integer> outRead = new HashMap<>();
    private final Deque<Event> events = new ArrayDeque<>();
    private final List<Exception> handlerFailures = new ArrayList<>();
    /** Snapshot id to its captured part here, once the engine handed its fragment over. */
    private final Map<Long, LocalSnapshot> captured = new HashMap<>();
    private final Set<Long> triggers = new HashSet<>();
    /** The snapshot each restore written here restores, by the restore's offset (its epoch). */
    private final Map<Long, LocalSnapshot> restoring = new HashMap<>();
    private boolean closed;

    private HandlerTestDriver(Builder b) throws Exception {
        this.processId = b.processId;
        this.incoming = Collections.unmodifiableSet(new TreeSet<>(b.incoming));
        this.outgoing = Collections.unmodifiableSet(new TreeSet<>(b.outgoing));
        this.baseMillis = b.start.toEpochMilli();
        incoming.forEach(c -> {
            in.put(c, new ArrayList<>());
            inRead.put(c, 0L);
            senders.put(c, new long[] {0, 0});
        });
        outgoing.forEach(c -> {
            out.put(c, new ArrayList<>());
            outRead.put(c, 0);
        });
        if (!b.initialState.isEmpty()) {
            b.initialState.forEach(store::put);
            store.commit();
        }
        RecordHandler user = b.handler;
        RecordHandler handler = (ctx, record) -> {
            try {
                user.handle(ctx, record);
            } catch (Exception e) {
                handlerFailures.add(e);
                throw e;
            }
        };
        List<NodeEngine.Periodic> timers = new ArrayList<>();
        b.timers.forEach(t -> timers.add(new NodeEngine.Periodic(t.period(), ctx -> {
            try {
                t.task().run(ctx);
            } catch (Exception e) {
                handlerFailures.add(e);
                throw e;
            }
        })));
        NodeEngine.Settings settings = new NodeEngine.Settings(processId, incoming, outgoing, handler, b.onStart,
                timers, b.snapshotTimeout.toMillis(), b.maxConcurrentSnapshots, 1_000_000, 60_000, 1_000, 0, 0);
        this.engine = new NodeEngine(settings, store, ports(), time(), meters);

        // The upstream senders join first, so that every snapshot awaits their markers; then this node.
        for (String channel : incoming) {
            appendControl(new ControlRecord.Join(upstreamOf(channel), List.of(), List.of(channel)));
        }
        long join = appendControl(new ControlRecord.Join(processId, List.copyOf(incoming), List.copyOf(outgoing)));
        long actFrom = engine.actFrom(join);
        for (ControlEntry e : control) {
            if (e.offset() >= actFrom) {
                break;
            }
            engine.catchUpControl(e.offset(), e.timestamp(), e.value());
        }
        controlRead = (int) actFrom;
        Map<String, Long> beginnings = new HashMap<>();
        incoming.forEach(c -> beginnings.put(c, 0L));
        Map<String, Long> lastOut = new HashMap<>();
        outgoing.forEach(c -> lastOut.put(c, -1L));
        // The driver's channels keep their whole history, so no head is ever gone.
        Map<String, Long> positions = engine.open(actFrom, beginnings, lastOut, (channel, from, epoch) -> true);
        inRead.putAll(positions);
        engine.bindTo(Thread.currentThread());
        engine.firstStep();
        settle();
    }

    /** A driver for the node {@code processId}; name its channels and handler, then {@link Builder#build()}. */
    public static Builder builder(String processId) {
        return new Builder(processId);
    }

    /** The name of the simulated sender upstream of {@code channel}, as it appears on the control log. */
    public static String upstreamOf(String channel) {
        return "upstream:" + channel;
    }

    // ---- input ---------------------------------------------------------------------------------------------

    /** Pipes a record into {@code channel}, stamped as its sender stamps it, timestamped now; the node handles it. */
    public TestRecord pipe(String channel, String key, String value) {
        return pipe(channel, utf8(key), utf8(value), null, now().toEpochMilli());
    }

    /** Pipes a record into {@code channel}, stamped as its sender stamps it, timestamped now. */
    public TestRecord pipe(String channel, byte[] key, byte[] value) {
        return pipe(channel, key, value, null, now().toEpochMilli());
    }

    /**
     * Pipes a record into {@code channel}: the given headers (may be null) plus the sender's {@code kafkasnap-epoch}
     * and {@code kafkasnap-seq}, the next sequence number of the channel.
     *
     * @return the record as it went into the channel, to {@link #resend} it
     */
    public TestRecord pipe(String channel, byte[] key, byte[] value, Headers headers, long timestamp) {
        long[] sender = sender(channel);
        RecordHeaders stamped = new RecordHeaders();
        if (headers != null) {
            for (Header h : headers) {
                stamped.add(h.key(), h.value());
            }
        }
        ChannelHeaders.of(sender[0], sender[1]++, -1, false).forEach(h -> stamped.add(h.key(), h.value()));
        return pipeRaw(channel, key, value, stamped, timestamp);
    }

    /**
     * Pipes a record into {@code channel} exactly as given: no headers added. For records of a plain Kafka producer
     * (no sequence headers), malformed ones, or re-sends with a sequence number already applied.
     */
    public TestRecord pipeRaw(String channel, byte[] key, byte[] value, Headers headers, long timestamp) {
        checkOpen();
        List<TestRecord> log = channelIn(channel);
        TestRecord record = new TestRecord(channel, log.size(), key, value, headers, timestamp);
        log.add(record);
        settle();
        return record;
    }

    /**
     * Pipes {@code record} into its channel again, headers and all, as a sender that did not see its first send
     * acknowledged does: the node drops it by its sequence number ({@link #duplicatesDropped()}).
     */
    public TestRecord resend(TestRecord record) {
        return pipeRaw(record.channel(), record.key(), record.value(), record.headers(), record.timestamp());
    }

    /** Everything piped into {@code channel} so far, markers and fences of the simulated sender included. */
    public List<TestRecord> incomingLog(String channel) {
        return List.copyOf(channelIn(channel));
    }

    // ---- output --------------------------------------------------------------------------------------------

    /** The app records the node sent on {@code channel} so far, in order; markers and fences left out. */
    public List<TestRecord> sent(String channel) {
        return channelOut(channel).stream().filter(TestRecord::isAppRecord).toList();
    }

    /** The app records sent on {@code channel} since the last call of this method for it. */
    public List<TestRecord> readSent(String channel) {
        List<TestRecord> log = channelOut(channel);
        int from = outRead.get(channel);
        outRead.put(channel, log.size());
        return log.subList(from, log.size()).stream().filter(TestRecord::isAppRecord).toList();
    }

    /** The values of the app records sent on {@code channel} so far, as UTF-8 text. */
    public List<String> sentValues(String channel) {
        return sent(channel).stream().map(TestRecord::valueAsString).toList();
    }

    /** Everything the node wrote on {@code channel}: app records, its snapshot markers and its restore fences. */
    public List<TestRecord> outgoingLog(String channel) {
        return List.copyOf(channelOut(channel));
    }

    /** The records of the in-memory control log: joins, triggers, aborts, restores, restored. */
    public List<ControlRecord> controlLog() {
        List<ControlRecord> records = new ArrayList<>();
        for (ControlEntry e : control) {
            try {
                records.add(ControlRecord.parse(e.value()));
            } catch (MalformedControlRecordException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return records;
    }

    // ---- state ---------------------------------------------------------------------------------------------

    /** Every state entry, in key order. */
    public Map<String, byte[]> state() {
        Map<String, byte[]> state = new LinkedHashMap<>();
        store.forEachState((k, v) -> state.put(k, v.clone()));
        return state;
    }

    /** Every state entry as UTF-8 text, in key order. */
    public Map<String, String> stateAsStrings() {
        Map<String, String> state = new LinkedHashMap<>();
        store.forEachState((k, v) -> state.put(k, new String(v, StandardCharsets.UTF_8)));
        return state;
    }

    /** The state entry, or null. */
    public byte[] state(String key) {
        byte[] value = store.get(key);
        return value == null ? null : value.clone();
    }

    /** The state entry as UTF-8 text, or null. */
    public String stateAsString(String key) {
        byte[] value = store.get(key);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** The state entry as a long (decimal text, as {@code putLong} writes it), or null. */
    public Long stateAsLong(String key) {
        String text = stateAsString(key);
        return text == null ? null : Long.parseLong(text);
    }

    /** Sets a state entry between steps, as if a handler had (null deletes it). */
    public void putState(String key, byte[] value) {
        checkOpen();
        store.put(key, value);
        store.commit();
    }

    public void putState(String key, String value) {
        putState(key, utf8(value));
    }

    public void putState(String key, long value) {
        putState(key, Long.toString(value));
    }

    public void deleteState(String key) {
        putState(key, (byte[]) null);
    }

    // ---- time ----------------------------------------------------------------------------------------------

    /** The simulated wall clock. */
    public Instant now() {
        return Instant.ofEpochMilli(baseMillis + TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    /**
     * Moves simulated time on by {@code duration}, stopping at every instant something is due: a timer with a
     * period of 1 s fires 10 times in {@code advanceTime(Duration.ofSeconds(10))}. Snapshots recording for longer
     * than the snapshot timeout are aborted, as in production.
     */
    public void advanceTime(Duration duration) {
        checkOpen();
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time goes forward only, not by " + duration);
        }
        long target = nanos + duration.toNanos();
        while (true) {
            nanos += engine.nanosUntilDue(target - nanos);
            bind();
            run(engine::tick);
            engine.endStep();
            settle();
            if (nanos >= target) {
                return;
            }
        }
    }

    // ---- snapshots -----------------------------------------------------------------------------------------

    /**
     * Takes a snapshot: a trigger on the control log, the node records its state and sends its markers, and the
     * upstream markers arrive on every incoming channel. Nothing arrives in between, so nothing is recorded as in
     * flight; {@link #beginSnapshot()} lets records arrive before the markers.
     *
     * @throws IllegalStateException if the node gave the snapshot up (the abort's reason is in the message)
     */
    public LocalSnapshot snapshot() {
        return beginSnapshot().complete();
    }

    /**
     * Triggers a snapshot and stops before the upstream markers: records piped now arrive after the node recorded
     * its state and before the marker of their channel, so the snapshot records them as in flight. Markers arrive
     * with {@link SnapshotInProgress#markerArrives} or {@link SnapshotInProgress#complete()}.
     */
    public SnapshotInProgress beginSnapshot() {
        checkOpen();
        long id = appendControl(ControlRecord.Trigger.anyMember());
        triggers.add(id);
        settle();
        return new SnapshotInProgress(id);
    }

    /** A snapshot triggered and waiting for the markers of the upstream senders. */
    public final class SnapshotInProgress {
        private final long id;
        private final Set<String> markersSent = new HashSet<>();

        private SnapshotInProgress(long id) {
            this.id = id;
        }

        /** The snapshot id: the offset of its trigger on the control log. */
        public long id() {
            return id;
        }

        /** The upstream sender of {@code channel} sends its marker: the node stops recording that channel. */
        public SnapshotInProgress markerArrives(String channel) {
            long[] sender = sender(channel);
            if (!markersSent.add(channel)) {
                throw new IllegalStateException("the marker of snapshot " + id + " already arrived on " + channel);
            }
            pipeRaw(channel, null, new byte[0], ChannelHeaders.of(sender[0], sender[1]++, id, false),
                    now().toEpochMilli());
            return this;
        }

        /**
         * The markers not arrived yet arrive; returns the node's part of the snapshot.
         *
         * @throws IllegalStateException if the node did not finish it: aborted (timed out, restored meanwhile), or
         *                               a marker it waits for is missing
         */
        public LocalSnapshot complete() {
            for (String channel : incoming) {
                if (!markersSent.contains(channel)) {
                    markerArrives(channel);
                }
            }
            LocalSnapshot local = captured.get(id);
            if (local != null) {
                return local;
            }
            String why = controlLog().stream().filter(r -> r instanceof ControlRecord.Abort a && a.snapshot() == id)
                    .map(r -> ((ControlRecord.Abort) r).reason() + ": " + ((ControlRecord.Abort) r).detail())
                    .findFirst().orElse("still recording; in flight: " + engine.inFlight());
            throw new IllegalStateException("snapshot " + id + " did not complete at " + processId + ": " + why);
        }
    }

    /**
     * Restores {@code snapshot}, as {@code kafkasnap restore} does: a restore record on the control log, the node
     * loads the snapshot (this one, given as its snapshot source's answer), puts its state back byte for byte, enters
     * the restore's epoch, sends a fence on every outgoing channel and hands the recorded messages to the handler.
     * The upstream senders apply the restore too: they enter the epoch and send their fence, and records piped from
     * then on are of the new epoch.
     *
     * <p>A snapshot not taken by this driver (another driver's, or {@link LocalSnapshot#ofState hand-made}) is given a
     * trigger first, so that the restore names a snapshot the control log knows.
     */
    public void restore(LocalSnapshot snapshot) {
        checkOpen();
        long id = snapshot.snapshot();
        if (!triggers.contains(id)) {
            id = appendControl(ControlRecord.Trigger.anyMember());
            triggers.add(id);
            settle();
        }
        long epoch = control.size();
        restoring.put(epoch, snapshot);
        appendControl(new ControlRecord.Restore(id, false));
        settle();
        if (engine.epoch() != epoch) {
            throw new IllegalStateException("the restore at control offset " + epoch + " to snapshot " + id
                    + " was not applied at " + processId + " (still in epoch " + engine.epoch() + "; pending "
                    + engine.pendingRestores() + ")");
        }
        for (String channel : incoming) {
            long[] sender = senders.get(channel);
            sender[0] = epoch;
            sender[1] = 0;
            pipeRaw(channel, null, null, ChannelHeaders.of(epoch, sender[1]++, -1, true), now().toEpochMilli());
        }
    }

    // ---- what else a test may look at ----------------------------------------------------------------------

    /** What the handler and timer tasks threw; the engine undid each one's state changes and sends. */
    public List<Exception> handlerFailures() {
        return List.copyOf(handlerFailures);
    }

    /** Re-sent records the node dropped by their sequence numbers. */
    public long duplicatesDropped() {
        return count("kafkasnap.records.duplicates");
    }

    /** App records handed to the handler, failed ones and replayed ones included. */
    public long recordsProcessed() {
        return count("kafkasnap.records.processed");
    }

    /** The node's meters (those a production node registers). */
    public MeterRegistry meters() {
        return meters;
    }

    /** The node's epoch: 0, or the control offset of the last restore it applied. */
    public long epoch() {
        return engine.epoch();
    }

    public String processId() {
        return processId;
    }

    public Set<String> incomingChannels() {
        return incoming;
    }

    public Set<String> outgoingChannels() {
        return outgoing;
    }

    /** Stops the node as a clean stop does: snapshots still recording are given up. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        bind();
        engine.stop();
        settle();
        closed = true;
        engine.releaseCaptures();
        store.close();
    }

    // ---- inside --------------------------------------------------------------------------------------------

    /** Hands the engine whatever is ready, one thing per step, until nothing is. */
    private void settle() {
        bind();
        for (int guard = 0; ; guard++) {
            if (guard > 10_000_000) {
                throw new IllegalStateException(processId + " does not settle: it keeps sending or writing");
            }
            Event event = events.poll();
            if (event != null) {
                run(event);
                engine.endStep();
                continue;
            }
            if (controlRead < control.size()) {
                ControlEntry e = control.get(controlRead++);
                engine.onControlRecord(e.offset(), e.timestamp(), e.value());
                engine.endStep();
                continue;
            }
            if (!deliverOne()) {
                return;
            }
        }
    }

    private boolean deliverOne() {
        for (Map.Entry<String, List<TestRecord>> channel : in.entrySet()) {
            String name = channel.getKey();
            long position = inRead.get(name);
            if (!paused.contains(name) && position < channel.getValue().size()) {
                TestRecord r = channel.getValue().get((int) position);
                inRead.put(name, position + 1);
                engine.onChannelRecord(new InputRecord(name, r.offset(), r.key(), r.value(), r.timestamp(),
                        TestRecord.copy(r.headers())));
                engine.endStep();
                return true;
            }
        }
        return false;
    }

    private void run(Event event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(processId + ": the engine failed", e);
        }
    }

    private void bind() {
        engine.bindTo(Thread.currentThread());
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the driver of " + processId + " is closed");
        }
    }

    private long appendControl(ControlRecord record) {
        long offset = control.size();
        control.add(new ControlEntry(offset, now().toEpochMilli(), record.toJson()));
        return offset;
    }

    private long[] sender(String channel) {
        channelIn(channel);
        return senders.get(channel);
    }

    private List<TestRecord> channelIn(String channel) {
        List<TestRecord> log = in.get(channel);
        if (log == null) {
            throw new IllegalArgumentException(channel + " is not an incoming channel of " + processId
                    + "; incoming: " + incoming);
        }
        return log;
    }

    private List<TestRecord> channelOut(String channel) {
        List<TestRecord> log = out.get(channel);
        if (log == null) {
            throw new IllegalArgumentException(channel + " is not an outgoing channel of " + processId
                    + "; outgoing: " + outgoing);
        }
        return log;
    }

    private long count(String name) {
        Counter counter = meters.find(name).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private Time time() {
        return new Time() {
            @Override
            public long nanos() {
                return nanos;
            }

            @Override
            public long millis() {
                return baseMillis + TimeUnit.NANOSECONDS.toMillis(nanos);
            }
        };
    }

    private NodeEngine.Ports ports() {
        ChannelOutput channels = (OutboxEntry entry, long attempt) -> {
            List<TestRecord> log = channelOut(entry.channel());
            long offset = log.size();
            log.add(new TestRecord(entry.channel(), offset, entry.key(), entry.value(),
                    ChannelHeaders.of(entry.epoch(), entry.seq(), entry.marker(), entry.fence()),
                    now().toEpochMilli()));
            events.add(() -> engine.onSendAcknowledged(entry.id(), attempt, offset));
        };
        ControlLog controlLog = record -> {
            appendControl(record);
            events.add(() -> engine.onControlWritten(record));
        };
        FragmentSink fragments = new FragmentSink() {
            @Override
            public void publish(io.kafkasnap.protocol.LocalSnapshot local, StateCapture capture,
                                io.kafkasnap.format.Timeline.OnLoop onLoop, Map<String, long[]> applied) {
                Map<String, byte[]> state;
                try {
                    state = capture.readAll();
                } finally {
                    capture.close();
                }
                Map<String, List<TestRecord>> recorded = new TreeMap<>();
                for (Map.Entry<String, ChannelCut> cut : local.in().entrySet()) {
                    recorded.put(cut.getKey(), new ArrayList<>());
                }
                for (RecordedRecord r : store.recorded(local.snapshot())) {
                    RecordHeaders headers = new RecordHeaders();
                    for (StoredHeader h : r.headers()) {
                        headers.add(h.key(), h.value());
                    }
                    recorded.computeIfAbsent(r.channel(), c -> new ArrayList<>())
                            .add(new TestRecord(r.channel(), r.offset(), r.key(), r.value(), headers, r.timestamp()));
                }
                captured.put(local.snapshot(), new LocalSnapshot(local.snapshot(), state, recorded));
                events.add(() -> engine.onFragmentPublished(local.snapshot(), 1));
            }

            @Override
            public void cancel(long snapshot) {
                captured.remove(snapshot);
            }
        };
        SnapshotSource source = restore -> events.add(() -> {
            long epoch = restore.epoch();
            long snapshot = restore.restore().snapshot();
            LocalSnapshot target = restoring.get(epoch);
            engine.onRestoreTargetLoaded(epoch, target == null
                    ? RestoreTarget.refused(snapshot, "the test driver restores only through restore()")
                    : target(snapshot, target));
        });
        InputControl input = new InputControl() {
            @Override
            public void pause(String channel) {
                paused.add(channel);
            }

            @Override
            public void resume(String channel, long position) {
                paused.remove(channel);
                inRead.put(channel, position);
            }

            @Override
            public long lag(String channel) {
                return -1; // records come one at a time from the test: a snapshot here never waits for markers
            }
        };
        StatusSink status = new StatusSink() {
            @Override
            public void report(long at, long epoch, Map<String, Long> positions, int outbox, Set<Long> inFlight) {
            }

            @Override
            public void tombstone() {
            }
        };
        return new NodeEngine.Ports(channels, controlLog, fragments, source, input, status);
    }

    private RestoreTarget target(long snapshot, LocalSnapshot local) {
        Set<String> members = new LinkedHashSet<>();
        members.add(processId);
        incoming.forEach(c -> members.add(upstreamOf(c)));
        Map<String, List<IncomingRecord>> recorded = new HashMap<>();
        local.recorded().forEach((channel, messages) -> {
            if (incoming.contains(channel)) {
                recorded.put(channel, messages.stream().map(m -> new IncomingRecord(channel, m.offset(), m.key(),
                        m.value(), m.timestamp(), TestRecord.copy(m.headers()))).toList());
            }
        });
        return RestoreTarget.restorable(snapshot, members, local.state(), recorded);
    }

    /** Builds a {@link HandlerTestDriver}. */
    public static final class Builder {
        private final String processId;
        private final Set<String> incoming = new LinkedHashSet<>();
        private final Set<String> outgoing = new LinkedHashSet<>();
        private RecordHandler handler = (ctx, record) -> {
        };
        private final List<NodeTask> onStart = new ArrayList<>();
        private final List<NodeEngine.Periodic> timers = new ArrayList<>();
        private final Map<String, byte[]> initialState = new TreeMap<>();
        private Duration snapshotTimeout = Duration.ofSeconds(60);
        private int maxConcurrentSnapshots = 4;
        private Instant start = DEFAULT_START;

        private Builder(String processId) {
            if (processId == null || processId.isBlank()) {
                throw new IllegalArgumentException("the process id must be a non-empty string");
            }
            this.processId = processId;
        }

        public Builder incoming(String... channels) {
            incoming.addAll(List.of(channels));
            return this;
        }

        public Builder outgoing(String... channels) {
            outgoing.addAll(List.of(channels));
            return this;
        }

        public Builder handler(RecordHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** A task run at start (and again when a restore starts this node from its initial state). */
        public Builder onStart(NodeTask task) {
            onStart.add(Objects.requireNonNull(task, "task"));
            return this;
        }

        /** A task run every {@code period} of simulated time ({@link HandlerTestDriver#advanceTime}). */
        public Builder timer(Duration period, NodeTask task) {
            if (period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("a timer's period must be positive, was " + period);
            }
            timers.add(new NodeEngine.Periodic(period, Objects.requireNonNull(task, "task")));
            return this;
        }

        /** A state entry the node finds at start, as if left by a previous run (before onStart runs). */
        public Builder initialState(String key, byte[] value) {
            initialState.put(key, value.clone());
            return this;
        }

        public Builder initialState(String key, String value) {
            return initialState(key, value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder initialState(String key, long value) {
            return initialState(key, Long.toString(value));
        }

        public Builder initialState(Map<String, byte[]> state) {
            state.forEach(this::initialState);
            return this;
        }

        /** How long the node records a snapshot before giving it up, in simulated time; 60 s by default. */
        public Builder snapshotTimeout(Duration timeout) {
            this.snapshotTimeout = timeout;
            return this;
        }

        public Builder maxConcurrentSnapshots(int max) {
            this.maxConcurrentSnapshots = max;
            return this;
        }

        /** Where simulated time starts; {@link HandlerTestDriver#DEFAULT_START} by default. */
        public Builder startTime(Instant start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * Starts the node: joins the in-memory control log, runs onStart in the first step.
         *
         * @throws IllegalArgumentException if a channel is both incoming and outgoing
         * @throws IllegalStateException    if an onStart task throws (the node would not start either)
         */
        public HandlerTestDriver build() {
            Set<String> both = new TreeSet<>(incoming);
            both.retainAll(outgoing);
            if (!both.isEmpty()) {
                throw new IllegalArgumentException(both + " cannot be both incoming and outgoing channels of "
                        + processId);
            }
            try {
                return new HandlerTestDriver(this);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(processId + " did not start: " + e, e);
            }
        }
    }
}
