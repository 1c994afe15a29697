package io.kafkasnap.tools.cli;

import io.kafkasnap.collect.Restores;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rolls the whole system back to snapshot ID: checks that it is complete and consistent and "
                + "that every current member is one of its members, then writes {\"v\":1,\"type\":\"restore\","
                + "\"snapshot\":ID} to the control topic. Every member puts back its state of ID, hands the "
                + "messages ID recorded in flight to its handler, and goes on in a new epoch (the restore record's "
                + "offset). Refuses, writing nothing, when ID is unknown, not complete (failed, incomplete, "
                + "timed out, pruned: the reason is named) or inconsistent.",
                "Exit 0 when written (with --wait: when every member has restored), 1 when refused, 3 when --wait "
                        + "timed out (the members missing are named)."})
final class RestoreCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The snapshot to restore.")
    long snapshot;

    @Mixin
    BootstrapOptions kafka;

    @Option(names = "--wait", description = "Show progress until every member has restored, then how long it took.")
    boolean await;

    @Option(names = "--allow-new-members",
            description = "Let processes that joined after ID take part, starting from their initial state "
                    + "(default: such a process makes the restore refuse).")
    boolean allowNewMembers;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", converter = Durations.class,
            description = "With --wait, the longest wait for every member (default: ${DEFAULT-VALUE} s).")
    Duration timeout;

    @Mixin
    TopicOptions topics;


    @Override
    public Integer call() {
        Duration limit = timeout;
        PrintWriter out = spec.commandLine().getOut();
        Properties props = kafka.properties();
        Restores.Handle handle;
        try {
            handle = Restores.restore(props, topics.controlTopic, topics.collectionTopic, snapshot, allowNewMembers);
        } catch (Restores.RefusedException e) {
            spec.commandLine().getErr().println("restore refused: " + e.getMessage());
            return 1;
        }
        try (handle) {
            out.printf("restore %d -> snapshot %d written; members %s%n", handle.epoch(), snapshot, handle.expected());
            out.flush();
            if (!await) {
                return 0;
            }
            long deadline = System.nanoTime() + limit.toNanos();
            int shown = -1;
            while (!handle.isDone() && System.nanoTime() < deadline) {
                Set<String> restored = handle.poll(Duration.ofMillis(200));
                if (restored.size() != shown) {
                    shown = restored.size();
                    out.printf("restore %d -> snapshot %d: %d/%d members restored%s%n", handle.epoch(), snapshot,
                            restored.size(), handle.expected().size(),
                            handle.isDone() ? "" : ", waiting for " + String.join(", ", handle.missing()));
                    out.flush();
                }
            }
            if (!handle.isDone()) {
                spec.commandLine().getErr().printf("restore %d -> snapshot %d: timed out after %d s waiting for %s%n",
                        handle.epoch(), snapshot, limit.toSeconds(), String.join(", ", handle.missing()));
                return 3;
            }
            out.printf("restore %d -> snapshot %d: every member restored in %d ms%n", handle.epoch(), snapshot,
                    handle.duration().orElseThrow().toMillis());
            out.flush();
            return 0;
        }
    }
}
