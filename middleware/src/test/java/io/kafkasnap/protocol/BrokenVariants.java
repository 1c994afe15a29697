package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deliberately broken variants of the rules, each a decorator around the real core or the faithful harness.
 * The checker must find a counterexample for every one; a checker that cannot fail proves nothing.
 */
final class BrokenVariants {

    private BrokenVariants() {
    }

    /** Breaks "markers before any later app record": a marker waits behind the next app message on its channel. */
    static Mutation markerAfterNextAppMessage() {
        return new Mutation() {
            @Override
            public Outbox outbox(String process, Outbox faithful) {
                return new MarkerBehindNextAppMessage(faithful);
            }

            @Override
            public boolean meetsStubbornSetAssumptions() {
                return false;
            }

            @Override
            public String toString() {
                return "marker sent after the next app message";
            }
        };
    }

    /** Breaks rule 3: the records of {@code channel} are never kept as channel state. */
    static Mutation channelNotRecorded(String channel) {
        return new Mutation() {
            @Override
            public Controller controller(String process, Controller faithful) {
                return new DropsChannelRecords(faithful, channel);
            }

            @Override
            public String toString() {
                return "channel " + channel + " not recorded";
            }
        };
    }

    /** Breaks rule 3 at the other end: the first app record after a marker is kept too. */
    static Mutation recordingStopsOneRecordLate() {
        return new Mutation() {
            @Override
            public ProtocolInputs inputs(String process, ProtocolInputs faithful, Controller controller) {
                return new KeepsOneRecordPastTheMarker(faithful, controller);
            }

            @Override
            public String toString() {
                return "recording stopped one record late";
            }
        };
    }

    /**
     * Breaks the per-channel independence the stubborn-set reduction assumes: a process that keeps a record of one
     * channel after keeping one of another drops it, so which record survives depends on the order of deliveries
     * on different channels (a bookkeeping slip shared across channels).
     */
    static Mutation keptRecordDroppedAfterAChannelSwitch() {
        return new Mutation() {
            @Override
            public Controller controller(String process, Controller faithful) {
                return new DropsRecordAfterChannelSwitch(faithful);
            }

            @Override
            public boolean meetsStubbornSetAssumptions() {
                return false;
            }

            @Override
            public ProtocolInputs inputs(String process, ProtocolInputs faithful, Controller controller) {
                DropsRecordAfterChannelSwitch dropping = (DropsRecordAfterChannelSwitch) controller;
                return new ForwardingInputs(faithful) {
                    @Override
                    public String decoratorState() {
                        return "lastKept=" + dropping.lastKept; // the controller's state, hashed with the process
                    }
                };
            }

            @Override
            public String toString() {
                return "kept record dropped after a channel switch";
            }
        };
    }

    /**
     * Breaks aligned capture: a channel the core holds is let go at once, so the records behind its marker (sent
     * after the sender recorded) reach the process before it records its state. The core's own release at the
     * capture is swallowed, so that the runtime sees a well-formed hold and release and only the cut can tell.
     */
    static Mutation heldChannelReleasedBeforeTheCapture() {
        return new Mutation() {
            @Override
            public Controller controller(String process, Controller faithful) {
                return new ReleasesAtOnce(faithful);
            }

            @Override
            public String toString() {
                return "held channel released before the capture";
            }
        };
    }

    private static final class MarkerBehindNextAppMessage implements Outbox {
        private final Outbox log;
        private final Map<String, List<LogEntry>> held = new TreeMap<>();
        private boolean appTrafficOver;

        MarkerBehindNextAppMessage(Outbox log) {
            this.log = log;
        }

        @Override
        public void append(String channel, LogEntry entry) {
            if (entry instanceof LogEntry.Marker && !appTrafficOver) {
                held.computeIfAbsent(channel, c -> new ArrayList<>()).add(entry);
                return;
            }
            log.append(channel, entry);
            List<LogEntry> released = held.remove(channel);
            if (released != null) {
                released.forEach(marker -> log.append(channel, marker));
            }
        }

        @Override
        public void endOfAppTraffic() {
            // Without this a marker could wait for ever and the checker would report non-termination instead.
            appTrafficOver = true;
            held.forEach((channel, markers) -> markers.forEach(marker -> log.append(channel, marker)));
            held.clear();
        }

        @Override
        public String decoratorState() {
            return "held" + held;
        }
    }

    /** Passes every call on; a broken variant overrides the one it breaks. */
    private abstract static class ForwardingController implements Controller {
        final Controller controller;

        ForwardingController(Controller controller) {
            this.controller = controller;
        }

        @Override
        public void recordLocalState(long snapshot) {
            controller.recordLocalState(snapshot);
        }

        @Override
        public void sendMarkers(long snapshot) {
            controller.sendMarkers(snapshot);
        }

        @Override
        public void recordChannelRecord(long snapshot, String channel, long offset) {
            controller.recordChannelRecord(snapshot, channel, offset);
        }

        @Override
        public void markerArrived(long snapshot, String channel) {
            controller.markerArrived(snapshot, channel);
        }

        @Override
        public boolean alignFirst(long snapshot, java.util.Set<String> unmarked) {
            return controller.alignFirst(snapshot, unmarked);
        }

        @Override
        public void holdChannel(String channel) {
            controller.holdChannel(channel);
        }

        @Override
        public void releaseChannel(String channel) {
            controller.releaseChannel(channel);
        }

        @Override
        public void fragmentComplete(LocalSnapshot snapshot) {
            controller.fragmentComplete(snapshot);
        }

        @Override
        public void rejected(Rejection reason, String detail) {
            controller.rejected(reason, detail);
        }
    }

    /** Passes every event on; a broken variant overrides the one it breaks. */
    private abstract static class ForwardingInputs implements ProtocolInputs {
        final ProtocolInputs core;

        ForwardingInputs(ProtocolInputs core) {
            this.core = core;
        }

        @Override
        public void onTrigger(long snapshot, String initiator) {
            core.onTrigger(snapshot, initiator);
        }

        @Override
        public void onMarker(String channel, long offset, long snapshot) {
            core.onMarker(channel, offset, snapshot);
        }

        @Override
        public void onAppRecord(String channel, long offset) {
            core.onAppRecord(channel, offset);
        }

        @Override
        public void onMarkerSent(long snapshot, String channel, long offset) {
            core.onMarkerSent(snapshot, channel, offset);
        }

        @Override
        public void onLocalStateRecorded(long snapshot) {
            core.onLocalStateRecorded(snapshot);
        }

        @Override
        public void captureNow(long snapshot) {
            core.captureNow(snapshot);
        }
    }

    private static final class DropsChannelRecords extends ForwardingController {
        private final String dropped;

        DropsChannelRecords(Controller controller, String dropped) {
            super(controller);
            this.dropped = dropped;
        }

        @Override
        public void recordChannelRecord(long snapshot, String channel, long offset) {
            if (!channel.equals(dropped)) {
                controller.recordChannelRecord(snapshot, channel, offset);
            }
        }
    }

    private static final class ReleasesAtOnce extends ForwardingController {
        ReleasesAtOnce(Controller controller) {
            super(controller);
        }

        @Override
        public void holdChannel(String channel) {
            controller.holdChannel(channel);
            controller.releaseChannel(channel);
        }

        @Override
        public void releaseChannel(String channel) {
        }
    }

    private static final class DropsRecordAfterChannelSwitch extends ForwardingController {
        /** The channel of the last record this process kept, for any snapshot. */
        String lastKept;

        DropsRecordAfterChannelSwitch(Controller controller) {
            super(controller);
        }

        @Override
        public void recordChannelRecord(long snapshot, String channel, long offset) {
            boolean switched = lastKept != null && !lastKept.equals(channel);
            lastKept = channel;
            if (!switched) {
                controller.recordChannelRecord(snapshot, channel, offset);
            }
        }
    }

    private static final class KeepsOneRecordPastTheMarker extends ForwardingInputs {
        private final Controller controller;
        /** Per channel, the snapshot whose marker just arrived and whose recording this variant keeps open. */
        private final Map<String, Long> oneMore = new TreeMap<>();

        KeepsOneRecordPastTheMarker(ProtocolInputs core, Controller controller) {
            super(core);
            this.controller = controller;
        }

        @Override
        public void onMarker(String channel, long offset, long snapshot) {
            core.onMarker(channel, offset, snapshot);
            oneMore.put(channel, snapshot);
        }

        @Override
        public void onAppRecord(String channel, long offset) {
            Long snapshot = oneMore.remove(channel);
            if (snapshot != null) {
                controller.recordChannelRecord(snapshot, channel, offset);
            }
            core.onAppRecord(channel, offset);
        }

        @Override
        public String decoratorState() {
            return "oneMore" + oneMore;
        }
    }
}
