package io.kafkasnap.protocol;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stubborn sets (Valmari) over the steps of a faithful {@link SimWorld}: a reduction finer than the per-process
 * persistent sets of {@link PersistentSets}, because it tells apart the steps of one process that
 * commute from those that do not.
 *
 * <p>The steps of one process fall in two kinds. A <b>capturing</b> step starts a recording: a trigger, or a
 * marker, of a snapshot the process has not captured. It reads the token count and every consumer position and
 * changes what the process's later sends carry, so it depends on every other step of the process. Every other
 * step (an app send, an app record's delivery, a marker that only closes a channel, a readout, an ack) touches
 * only the process's own channel, the token count by plus or minus one, and the recording of its own snapshot, so
 * two of them on different channels commute and neither disables the other. That rests on what the core does
 * (per channel: {@code onAppRecord} reads and writes only that channel's position and records it for the
 * recordings open on it; a closing marker sets only that channel's entry), which is why this reduction is used
 * on the faithful harness only, and why {@code IndependenceHoldsTest} checks the claim in every reachable state
 * of small bounds instead of taking it on trust.
 *
 * <p>A step is named by a <em>label</em> that survives the state ("b delivers the next record of a>b"). A set T
 * of labels is stubborn when (D1) every enabled label in T commutes with every sequence of labels outside T, and
 * (D2) no sequence outside T enables a disabled label in T. Then exploring T's enabled steps reaches every state
 * where nothing can happen any more (the enabled labels of T stay enabled outside T: only a label consumes its
 * own channel head, budget share, trigger or callback). The closure below builds T from one seed:
 * <ul>
 *   <li>an enabled capturing step brings in every label of its process;</li>
 *   <li>any other enabled step brings in the labels of its process that may yet capture ({@link #mayCapture}):
 *       a trigger the process has still to read for a snapshot it has not captured, a delivery on a channel
 *       that holds or may still get a marker of such a snapshot;</li>
 *   <li>a disabled delivery brings in what could append to its channel: the sender's send on it, if the sender
 *       has budget for it, and the sender's labels that may capture (a capture sends markers);</li>
 *   <li>a disabled trigger read brings in writing the triggers, if one naming the process is still to come;</li>
 *   <li>a readout or an ack not yet owed brings in the process's labels that may capture (a capture owes them);</li>
 *   <li>writing a trigger commutes with everything (processes read the control topic at their own positions).</li>
 * </ul>
 * Steps of different processes commute as in the per-process reduction (appending to a channel's tail and
 * consuming its non-empty head commute).
 *
 * <p>Under aligned capture ({@link SimScenario.Capture#ALIGNED}) the same closure is kept, made conservative: a
 * {@link SimEvent.CaptureNow} counts as capturing (it depends on every step of its process), as does, already, a
 * marker of a snapshot not captured (it may hold its channel instead of capturing). A held channel's delivery is
 * disabled until its process releases it, which only a capturing step does, so its enablers are its process's
 * labels that may capture; and those include a CaptureNow of every snapshot the process has not captured. Which labels may capture can only shrink as the world runs (captures
 * are never undone, and a marker comes only from a sender that has not captured), so computing it in the
 * current state covers every state an outside sequence reaches.
 */
final class StubbornSets {

    /** A step named independently of the state; {@code snapshot} is 0 where the label does not need it. */
    record Label(Kind kind, String process, String channel, long snapshot) {
        enum Kind { SEND, DELIVER, TRIGGER, WRITE_TRIGGER, READOUT, ACK, CAPTURE_NOW }
    }

    private final SimWorld world;

    StubbornSets(SimWorld world) {
        this.world = world;
    }

    /** The enabled steps of the smallest stubborn set found from any enabled seed; all of them if none smaller. */
    List<SimEvent> reduce(List<SimEvent> enabled) {
        Map<Label, SimEvent> byLabel = new HashMap<>();
        for (SimEvent event : enabled) {
            byLabel.put(label(event), event);
        }
        List<SimEvent> best = enabled;
        for (SimEvent seed : enabled) {
            Set<Label> stubborn = close(label(seed), byLabel);
            List<SimEvent> candidate = enabled.stream().filter(event -> stubborn.contains(label(event))).toList();
            if (candidate.size() < best.size()) {
                best = candidate;
                if (best.size() == 1) {
                    break;
                }
            }
        }
        return best;
    }

    static Label label(SimEvent event) {
        if (event instanceof SimEvent.Send send) {
            return new Label(Label.Kind.SEND, send.process(), send.channel(), 0);
        } else if (event instanceof SimEvent.Deliver deliver) {
            return new Label(Label.Kind.DELIVER, deliver.process(), deliver.channel(), 0);
        } else if (event instanceof SimEvent.Trigger trigger) {
            return new Label(Label.Kind.TRIGGER, trigger.process(), "", 0);
        } else if (event instanceof SimEvent.IssueTrigger) {
            return new Label(Label.Kind.WRITE_TRIGGER, "", "", 0);
        } else if (event instanceof SimEvent.ReadOut readOut) {
            return new Label(Label.Kind.READOUT, readOut.process(), "", readOut.snapshot());
        } else if (event instanceof SimEvent.Ack ack) {
            return new Label(Label.Kind.ACK, ack.process(), ack.channel(), ack.snapshot());
        } else if (event instanceof SimEvent.CaptureNow captureNow) {
            return new Label(Label.Kind.CAPTURE_NOW, captureNow.process(), "", captureNow.snapshot());
        }
        throw new IllegalArgumentException("no label for " + event);
    }

    private Set<Label> close(Label seed, Map<Label, SimEvent> enabled) {
        Set<Label> stubborn = new LinkedHashSet<>();
        Deque<Label> todo = new ArrayDeque<>(List.of(seed));
        while (!todo.isEmpty()) {
            Label label = todo.pop();
            if (stubborn.add(label)) {
                SimEvent event = enabled.get(label);
                todo.addAll(event != null ? mayNotCommuteWith(event) : enablers(label));
            }
        }
        return stubborn;
    }

    /**
     * D1: the labels that could fire after steps outside the set and not commute with {@code event}, enabled now:
     * all of its process's labels if it captures, else those of its process's labels that may yet capture.
     */
    List<Label> mayNotCommuteWith(SimEvent event) {
        if (event instanceof SimEvent.IssueTrigger) {
            return List.of(); // processes read the control topic at their own positions
        }
        return capturesNow(event) ? labelsOf(event.process()) : mayCapture(event.process());
    }

    /**
     * D2: labels one of which must fire before the disabled {@code label} can be enabled (a necessary enabling
     * set); empty if nothing can enable it any more.
     */
    List<Label> enablers(Label label) {
        List<Label> enablers = new ArrayList<>();
        String process = label.process();
        switch (label.kind()) {
            case DELIVER -> {
                // Only its sender appends to a channel: an app send while it has budget for it, markers at a capture.
                String sender = world.topology().channel(label.channel()).from();
                if (world.shareLeft(label.channel()) > 0) {
                    enablers.add(new Label(Label.Kind.SEND, sender, label.channel(), 0));
                }
                enablers.addAll(mayCapture(sender));
                // Or the channel is held: only its receiver's capture lets it go.
                if (!sender.equals(process)) {
                    enablers.addAll(mayCapture(process));
                }
            }
            case TRIGGER -> {
                if (world.triggerStillToWrite(process)) {
                    enablers.add(new Label(Label.Kind.WRITE_TRIGGER, "", "", 0));
                }
            }
            case READOUT, ACK, CAPTURE_NOW -> {
                // A CaptureNow is enabled by the trigger or marker that starts the alignment: both may capture.
                // Owed by the capture of that snapshot; once captured, answered and never owed again.
                if (!world.captured(process).contains(label.snapshot())) {
                    enablers.addAll(mayCapture(process));
                }
            }
            case SEND, WRITE_TRIGGER -> {
                // No budget left for the channel, or every trigger written: disabled for good.
            }
        }
        return enablers;
    }

    /**
     * Whether two steps enabled now commute and neither disables the other, as this reduction assumes: steps of
     * different processes (the trigger writer counting as one) always, two steps of one process when neither
     * captures. {@code IndependenceHoldsTest} checks it against the real core.
     */
    boolean independent(SimEvent a, SimEvent b) {
        if (!a.process().equals(b.process())) {
            return true;
        }
        return !label(a).equals(label(b)) && !capturesNow(a) && !capturesNow(b);
    }

    /** Every label of every process, and the trigger writer's. */
    List<Label> allLabels() {
        List<Label> labels = new ArrayList<>();
        world.topology().processes().forEach(process -> labels.addAll(labelsOf(process)));
        labels.add(new Label(Label.Kind.WRITE_TRIGGER, "", "", 0));
        return labels;
    }

    /** Whether this enabled step starts a recording: a trigger or a marker of a snapshot not captured yet. */
    boolean capturesNow(SimEvent event) {
        if (event instanceof SimEvent.CaptureNow) {
            return true;
        }
        if (event instanceof SimEvent.Trigger trigger) {
            return !world.captured(trigger.process()).contains(trigger.snapshot());
        }
        if (event instanceof SimEvent.Deliver deliver) {
            return world.unconsumed(deliver.channel()).get(0) instanceof LogEntry.Marker marker
                    && !world.captured(deliver.process()).contains(marker.snapshot());
        }
        return false;
    }

    /**
     * The labels of {@code process} that may start a recording now or in some future state: its trigger read,
     * if a trigger naming it for a snapshot it has not captured is still to be read (written or not), and its
     * delivery on every incoming channel that holds unconsumed, or may still get, a marker of such a snapshot.
     */
    List<Label> mayCapture(String process) {
        List<Label> labels = new ArrayList<>();
        Set<Long> captured = world.captured(process);
        List<SnapshotPlan> uncaptured = world.scenario().snapshots().stream()
                .filter(plan -> !captured.contains(plan.id())).toList();
        if (uncaptured.isEmpty()) {
            return labels;
        }
        if (world.triggersStillToRead(process).stream().anyMatch(plan -> !captured.contains(plan.id()))) {
            labels.add(new Label(Label.Kind.TRIGGER, process, "", 0));
        }
        if (world.scenario().isAligned()) {
            uncaptured.forEach(plan -> labels.add(new Label(Label.Kind.CAPTURE_NOW, process, "", plan.id())));
        }
        for (SimTopology.Channel channel : world.topology().incoming(process)) {
            Set<Long> senderCaptured = world.captured(channel.from());
            boolean markerMayCome = uncaptured.stream().anyMatch(plan -> !senderCaptured.contains(plan.id()))
                    || world.unconsumed(channel.name()).stream().anyMatch(entry -> entry instanceof LogEntry.Marker m
                    && !captured.contains(m.snapshot()));
            if (markerMayCome) {
                labels.add(new Label(Label.Kind.DELIVER, process, channel.name(), 0));
            }
        }
        return labels;
    }

    /** Every label of {@code process}. */
    private List<Label> labelsOf(String process) {
        List<Label> labels = new ArrayList<>();
        world.topology().outgoing(process)
                .forEach(channel -> labels.add(new Label(Label.Kind.SEND, process, channel.name(), 0)));
        world.topology().incoming(process)
                .forEach(channel -> labels.add(new Label(Label.Kind.DELIVER, process, channel.name(), 0)));
        labels.add(new Label(Label.Kind.TRIGGER, process, "", 0));
        for (SnapshotPlan plan : world.scenario().snapshots()) {
            if (world.scenario().isAligned()) {
                labels.add(new Label(Label.Kind.CAPTURE_NOW, process, "", plan.id()));
            }
            if (world.scenario().readout() == Callback.OWN_STEP) {
                labels.add(new Label(Label.Kind.READOUT, process, "", plan.id()));
            }
            if (world.scenario().acks() == Callback.OWN_STEP) {
                world.topology().outgoing(process).forEach(channel ->
                        labels.add(new Label(Label.Kind.ACK, process, channel.name(), plan.id())));
            }
        }
        return labels;
    }
}
