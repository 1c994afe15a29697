package io.kafkasnap.tools.cli;

import io.kafkasnap.collect.Retention;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Deletes older fragments from the collection topic (Kafka's deleteRecords): keeps the N newest "
                + "complete snapshots and every later record, and never the snapshot of the latest restore or of a "
                + "restore not every member has applied. Kafka deletes from the start of the topic only, so what "
                + "goes is everything before the oldest fragment kept; the snapshots whose fragments lie after it "
                + "stay too, and are named. A pruned snapshot is then listed as pruned and cannot be restored.",
                "A snapshot counts as complete here when every member's fragment arrived intact and nobody aborted "
                        + "it; channels are not read."})
final class PruneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keep", required = true, paramLabel = "N", description = "Complete snapshots to keep (>= 1).")
    int keep;

    @Option(names = "--dry-run", description = "Say what would be deleted; delete nothing.")
    boolean dryRun;

    @Mixin
    BootstrapOptions kafka;

    @Mixin
    TopicOptions topics;

    @Override
    public Integer call() {
        if (keep < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be >= 1, got " + keep);
        }
        Properties props = kafka.properties();
        PrintWriter out = spec.commandLine().getOut();
        Retention.Pruned pruned;
        try {
            pruned = Retention.prune(props, topics.controlTopic, topics.collectionTopic, keep, dryRun);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("snapshots prune: " + e.getMessage());
            return 1;
        }
        lines(pruned, topics.collectionTopic, keep, dryRun).forEach(out::println);
        out.flush();
        return 0;
    }

    /** What was deleted, then each snapshot that stays and why. */
    static java.util.List<String> lines(Retention.Pruned pruned, String collectionTopic, int keep, boolean dryRun) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        if (pruned.deletedBefore() <= pruned.startOffset()) {
            lines.add("nothing to delete: " + collectionTopic + " already starts at offset " + pruned.startOffset()
                    + ", the first fragment of the oldest snapshot to keep");
        } else {
            lines.add(String.format("%s %s before offset %d: %d snapshot(s) %s", dryRun ? "would delete" : "deleted",
                    collectionTopic, pruned.deletedBefore(), pruned.deleted().size(), pruned.deleted()));
        }
        lines.add(String.format("kept %s: the newest %s", pruned.kept(),
                pruned.kept().size() < keep ? pruned.kept().size() + " complete (fewer than " + keep + " on the topic)"
                        : keep + " complete"));
        if (!pruned.protectedByRestores().isEmpty()) {
            lines.add(String.format("kept %s: a restore needs them (the latest restore's snapshot, or one not every "
                    + "member has applied)", pruned.protectedByRestores()));
        }
        Set<Long> also = pruned.alsoKept();
        if (!also.isEmpty()) {
            lines.add(String.format("kept %s: their fragments lie from offset %d on, and Kafka deletes only the "
                    + "start of a topic", also, pruned.deletedBefore()));
        }
        return lines;
    }
}
