package io.kafkasnap.samples.cli;

import io.kafkasnap.collect.Retention;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Deletes older fragments from the collection topic (Kafka's deleteRecords): keeps the N newest "
                + "complete snapshots and every later record, and never the snapshot of the latest restore or of a "
                + "restore not every member has applied. Kafka deletes from the start of the topic only, so what "
                + "goes is everything before the oldest fragment kept."})
final class PruneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keep", required = true, paramLabel = "N", description = "Complete snapshots to keep (>= 1).")
    int keep;

    @Option(names = "--dry-run", description = "Say what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Mixin
    TopicOptions topics;

    @Mixin
    KafkaClientOptions kafkaClient;

    @Override
    public Integer call() {
        if (keep < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--keep must be >= 1, got " + keep);
        }
        Properties props = new Properties();
        props.putAll(kafkaClient.clientProperties(bootstrap));
        PrintWriter out = spec.commandLine().getOut();
        Retention.Pruned pruned;
        try {
            pruned = Retention.prune(props, topics.controlTopic, topics.collectionTopic, keep, dryRun);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("prune: " + e.getMessage());
            return 1;
        }
        out.printf("%s %s before offset %d: %d snapshot(s) %s; kept the newest complete %s%s%n",
                dryRun ? "would delete" : "deleted", topics.collectionTopic, pruned.deletedBefore(),
                pruned.deleted().size(), pruned.deleted(), pruned.kept(),
                pruned.protectedByRestores().isEmpty() ? "" : " and, for restores, " + pruned.protectedByRestores());
        out.flush();
        return 0;
    }
}
