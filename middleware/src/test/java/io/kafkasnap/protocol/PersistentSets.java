package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-process persistent sets (Godefroid) over the steps of a {@link SimWorld}: exploring only these from a state
 * still reaches every state where nothing can happen any more, by an execution that differs from any other reaching
 * it only in the order of independent steps. Structural: it holds for every broken variant. See docs/verification.md,
 * "Reduction 1".
 *
 * <p>Every step belongs to one process: a send, a trigger read, a delivery (to the receiver), a readout or an
 * ack; the control topic's writer {@code ""} owns writing the triggers. Steps of different owners commute and
 * never disable each other, so the enabled steps of a set of owners P are persistent provided no owner outside
 * P can enable a further step of an owner in P: every empty incoming channel of a member must come from a
 * member or from a process that will never append to it again, and a member that has no trigger to read must
 * get no more, or the writer is a member. Of the candidate sets, one per owner closed under that rule, the
 * smallest is returned; if nothing is smaller, all enabled steps.
 */
final class PersistentSets {

    private final SimWorld world;
    private final boolean faithful;

    PersistentSets(SimWorld world) {
        this.world = world;
        this.faithful = world.scenario().mutation() == Mutation.NONE;
    }

    List<SimEvent> reduce(List<SimEvent> enabled) {
        Set<String> owners = new LinkedHashSet<>();
        enabled.forEach(event -> owners.add(event.process()));
        List<SimEvent> best = enabled;
        for (String owner : owners) {
            Set<SimEvent> lone = new LinkedHashSet<>();
            Set<String> closed = closure(owner, lone);
            List<SimEvent> candidate = enabled.stream()
                    .filter(event -> closed.contains(event.process()) || lone.contains(event)).toList();
            if (candidate.size() < best.size()) {
                best = candidate;
            }
        }
        return best;
    }

    /**
     * {@code owner} and every owner that could enable one of their steps before any of them moves. A sender
     * that has captured every planned snapshot can append to a member's channel only by an app send on it, and
     * in the faithful harness such a send commutes with every other step of its sender (it touches only the
     * sender's tokens, which it holds enough of, and the channel's tail): then only that send joins, in
     * {@code lone}, rather than the sender with all its steps.
     */
    private Set<String> closure(String owner, Set<SimEvent> lone) {
        Set<String> closed = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(owner));
        while (!todo.isEmpty()) {
            String member = todo.remove(todo.size() - 1);
            if (!closed.add(member) || member.isEmpty()) {
                continue; // the control topic's writer reads nothing: nobody enables its steps
            }
            for (SimTopology.Channel channel : world.topology().incoming(member)) {
                String sender = channel.from();
                if (world.unconsumed(channel.name()).isEmpty() && mayAppendLater(sender, channel.name())) {
                    if (faithful && capturedEveryPlan(sender)) {
                        lone.add(new SimEvent.Send(sender, channel.name()));
                    } else {
                        todo.add(sender);
                    }
                }
            }
            if (!world.hasTriggerToRead(member) && world.triggerStillToWrite(member)) {
                todo.add("");
            }
        }
        return closed;
    }

    /**
     * Whether {@code sender} may still append to {@code channel}: an app message while it has budget for that
     * channel, a marker for any planned snapshot it has not captured yet (the markers of a captured one went out
     * with the capture). A broken outbox may hold markers back and release them at the sender's next send on the
     * channel or when its whole budget is spent: for a broken variant, any budget left at all counts.
     */
    private boolean mayAppendLater(String sender, String channel) {
        if (world.shareLeft(channel) > 0) {
            return true;
        }
        if (!faithful && world.sendsLeft(sender) > 0) {
            return true;
        }
        return !capturedEveryPlan(sender);
    }

    private boolean capturedEveryPlan(String process) {
        Set<Long> captured = world.captured(process);
        return world.scenario().snapshots().stream().allMatch(plan -> captured.contains(plan.id()));
    }
}
