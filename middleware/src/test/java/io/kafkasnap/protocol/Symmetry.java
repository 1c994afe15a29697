package io.kafkasnap.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Renamings of processes that map a scenario onto itself: every channel onto a channel, and each snapshot's
 * initiators onto themselves (the complete graph and 2 nodes with S1 started by a and b: swap a and b).
 *
 * <p>The faithful harness and the core treat names only as names, so renaming a world's processes renames its
 * whole future: the states below a split of the budget and below its mirror image correspond one to one, with
 * the same checks passing or failing. The checker therefore explores one split of each set of mirror images
 * ({@code MirrorImagesAreExploredAlikeTest} shows mirror images explore alike). A broken variant may name a
 * channel, so its splits are all explored.
 */
final class Symmetry {

    private Symmetry() {
    }

    /** Every renaming other than the identity that maps {@code scenario} onto itself. */
    static List<Map<String, String>> of(SimScenario scenario) {
        List<String> processes = scenario.topology().processes();
        List<Map<String, String>> found = new ArrayList<>();
        permute(processes, new ArrayList<>(), new HashSet<>(), permutation -> {
            Map<String, String> renaming = new HashMap<>();
            for (int i = 0; i < processes.size(); i++) {
                renaming.put(processes.get(i), permutation.get(i));
            }
            if (!permutation.equals(processes) && mapsOntoItself(scenario, renaming)) {
                found.add(renaming);
            }
        });
        return found;
    }

    /** The first split of each set of mirror images, in the order given. */
    static List<SimEvent> representatives(SimScenario scenario, List<SimEvent> splits) {
        List<Map<String, String>> renamings = of(scenario);
        List<SimEvent> kept = new ArrayList<>();
        Set<SimEvent> covered = new HashSet<>();
        for (SimEvent split : splits) {
            if (covered.add(split)) {
                kept.add(split);
                renamings.forEach(renaming -> covered.add(image((SimEvent.SplitBudget) split, renaming, scenario)));
            }
        }
        return kept;
    }

    /** {@code split} with every channel renamed. */
    static SimEvent.SplitBudget image(SimEvent.SplitBudget split, Map<String, String> renaming, SimScenario scenario) {
        Map<String, Integer> sends = new TreeMap<>();
        split.sends().forEach((channel, count) -> {
            SimTopology.Channel original = scenario.topology().channel(channel);
            sends.put(new SimTopology.Channel(renaming.get(original.from()), renaming.get(original.to())).name(), count);
        });
        return new SimEvent.SplitBudget(sends);
    }

    private static boolean mapsOntoItself(SimScenario scenario, Map<String, String> renaming) {
        Set<String> channels = new HashSet<>();
        scenario.topology().channels().forEach(channel -> channels.add(channel.name()));
        for (SimTopology.Channel channel : scenario.topology().channels()) {
            if (!channels.contains(renaming.get(channel.from()) + ">" + renaming.get(channel.to()))) {
                return false;
            }
        }
        for (SnapshotPlan plan : scenario.snapshots()) {
            Set<String> initiators = Set.copyOf(plan.initiators());
            Set<String> renamed = new HashSet<>();
            initiators.forEach(initiator -> renamed.add(renaming.get(initiator)));
            if (!renamed.equals(initiators)) {
                return false;
            }
        }
        return true;
    }

    private static void permute(List<String> items, List<String> chosen, Set<String> used,
                                java.util.function.Consumer<List<String>> each) {
        if (chosen.size() == items.size()) {
            each.accept(List.copyOf(chosen));
            return;
        }
        for (String item : items) {
            if (used.add(item)) {
                chosen.add(item);
                permute(items, chosen, used, each);
                chosen.remove(chosen.size() - 1);
                used.remove(item);
            }
        }
    }
}
