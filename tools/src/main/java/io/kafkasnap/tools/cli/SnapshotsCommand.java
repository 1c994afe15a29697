package io.kafkasnap.tools.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.collect.RestoreHistory;
import io.kafkasnap.kafka.Topics;
import io.kafkasnap.tools.SnapshotChecks;
import io.kafkasnap.tools.common.CollectorFeed;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotFeed;
import io.kafkasnap.tools.common.SnapshotTimeline;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.tools.dashboard.ProgressReader;
import io.kafkasnap.schedule.SnapshotScheduler;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "snapshots", mixinStandardHelpOptions = true,
        description = "Assembles global snapshots from the collection topic and shows them.",
        subcommands = {SnapshotsCommand.ListCommand.class, SnapshotsCommand.ShowCommand.class,
                SnapshotsCommand.WatchCommand.class, SnapshotsCommand.DiffCommand.class, PruneCommand.class})
final class SnapshotsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which: list, show ID, diff A B or watch");
    }

    /** Options every snapshots subcommand takes. */
    static final class Common {
        @Mixin
        BootstrapOptions kafka;

        @Mixin
        TopicOptions topics;

        @Mixin
        SnapshotTimeoutOption snapshotTimeout;

        Duration timeout() {
            return snapshotTimeout.timeout();
        }

        SnapshotFeed open() {
            return open(Integer.MAX_VALUE, Optional.empty());
        }

        /**
         * A feed that keeps only the last {@code keepInFull} snapshots, for commands that run for long, and assembles
         * only those triggered since {@code since} if given.
         */
        SnapshotFeed open(int keepInFull, Optional<Instant> since) {
            return CollectorFeed.open(kafka.clientProperties(), topics.controlTopic, topics.collectionTopic, timeout(),
                    keepInFull, since);
        }

        /** The restores on the control topic now, with who has restored so far. */
        RestoreHistory restores() {
            return RestoreHistory.read(kafka.properties(), topics.controlTopic, timeout().plusSeconds(30));
        }
    }

    /**
     * Snapshot lines and restore lines in control-topic order: a snapshot's id and a restore's epoch are both the
     * offsets of their records, so the order is the order in which they were asked for.
     */
    static List<String> interleaved(List<SnapshotView> snapshots, List<RestoreHistory.Restore> restores) {
        List<String> lines = new ArrayList<>();
        int r = 0;
        for (SnapshotView view : snapshots) {
            while (r < restores.size() && restores.get(r).epoch() < view.id()) {
                lines.add(RestoreLines.line(restores.get(r++)));
            }
            lines.add(line(view));
        }
        while (r < restores.size()) {
            lines.add(RestoreLines.line(restores.get(r++)));
        }
        return lines;
    }

    /** Reads until nothing new has been assembled for a little while: what is on the topics now. */
    static List<SnapshotView> catchUp(SnapshotFeed feed) {
        int quiet = 0;
        while (quiet < 2) {
            quiet = feed.poll(Duration.ofSeconds(1)).isEmpty() ? quiet + 1 : 0;
        }
        return feed.all();
    }

    /** The application checks on the class path, loaded once. */
    private static volatile SnapshotChecks checks;

    static SnapshotChecks checks() {
        SnapshotChecks loaded = checks;
        if (loaded == null) {
            loaded = SnapshotChecks.installed();
            checks = loaded;
        }
        return loaded;
    }

    /**
     * One line per snapshot: id, status, members, messages in flight, the verdict of rules 1-3, then what the
     * application checks that apply to it found ({@code money 3000 = 2900 + 100 in flight}).
     */
    static String line(SnapshotView view) {
        return line(view, checks());
    }

    static String line(SnapshotView view, SnapshotChecks checks) {
        String verdict = view.isConsistent() ? "consistent" : !view.isComplete() ? notComplete(view)
                : !view.consistencyChecked() ? "NOT CHECKED" : "INCONSISTENT: " + view.violations();
        StringBuilder line = new StringBuilder(String.format("snapshot %-6d %-10s members %d %s | in flight %d | %s",
                view.id(), view.status(), view.members().size(), view.members(), view.inFlightCount(), verdict));
        if (!"pruned".equals(view.status())) {
            checks.check(view).ifPresent(v -> line.append(" | ").append(v.ok() ? v.summary() : "NOT OK: " + v.text()));
        }
        return line.toString();
    }

    /** FAILED (restarted-during-snapshot: aborted by bank-1), PRUNED (its fragments were deleted ...). */
    private static String notComplete(SnapshotView view) {
        String status = view.status().toUpperCase(java.util.Locale.ROOT);
        String reason = view.reason().equals(view.status()) ? "" : view.reason();
        String why = reason.isEmpty() ? view.detail() : view.detail().isEmpty() ? reason : reason + ": " + view.detail();
        return why.isEmpty() ? status : status + " (" + why + ")";
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists every snapshot that can be assembled from the topics now, one line each, and every "
                + "restore (epoch, snapshot, when, members restored) where it is on the control topic.")
    static final class ListCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (SnapshotFeed feed = common.open()) {
                List<SnapshotView> all = catchUp(feed);
                if (all.isEmpty()) {
                    out.println("no snapshots on " + common.topics.collectionTopic);
                }
                // read after the snapshots, so a restore of a snapshot listed is listed too
                interleaved(all, common.restores().restores()).forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }

    /**
     * The members' timelines, in ms after the trigger record's timestamp, then when the last fragment record came;
     * nothing for a snapshot whose nodes wrote none.
     */
    static List<String> timelineLines(SnapshotView view) {
        List<String> lines = new ArrayList<>();
        SnapshotTimeline.of(view).ifPresent(timeline -> {
            lines.add("  timeline, ms after the trigger record (last fragment record at +" + timeline.fragmentsIn()
                    + "):");
            timeline.lines().forEach(line -> lines.add("    " + line));
        });
        return lines;
    }

    /**
     * A snapshot's line as {@code watch} prints it: for one triggered since the watch began, with the figure the bench
     * measures, the trigger record's timestamp to the assembled and checked snapshot read here (the same clock on one
     * machine; across machines their clocks' offset adds to it). An older snapshot, read while catching up, has no
     * figure: it would only say how long ago it was taken.
     */
    static String watchLine(SnapshotView view, long readAt, long watchingSince) {
        long triggeredAt = view.json().path("triggeredAt").asLong(-1);
        if (triggeredAt < watchingSince) {
            return line(view);
        }
        return line(view) + " | trigger -> assembled+checked " + (readAt - triggeredAt) + " ms";
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one snapshot: members' states, in-flight messages, consistency, and the restores "
                    + "that went back to it.")
    static final class ShowCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The snapshot id (the trigger's offset).")
        long id;

        @Option(names = "--json", description = "Print the assembled global snapshot as JSON.")
        boolean json;

        @Mixin
        Common common;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (SnapshotFeed feed = common.open()) {
                Optional<SnapshotView> found = feed.await(id, common.timeout().plusSeconds(5));
                if (found.isEmpty()) {
                    spec.commandLine().getErr().println("snapshot " + id + " not found on "
                            + common.topics.collectionTopic + " (is it a trigger offset of " + common.topics.controlTopic
                            + "?)");
                    return 1;
                }
                SnapshotView view = found.get();
                if (json) {
                    out.println(view.toPrettyJson());
                } else {
                    out.println(line(view));
                    view.states().forEach((process, state) -> out.printf("  %-20s %s%n", process, state));
                    view.channelMessages().forEach((topic, messages) -> {
                        JsonNode channel = view.channel(topic);
                        out.printf("  %-20s %s -> %s, recorded [%s, %s): %d message(s)%s%n", topic,
                                channel.path("from").asText("?"), channel.path("to").asText("?"),
                                channel.path("recordedFrom").asText(), channel.path("markerOffset").asText(),
                                messages.size(), messages.isEmpty() ? "" : " " + messages.stream()
                                        .map(m -> m.path("offset").asText() + ":" + m.path("value"))
                                        .toList());
                    });
                    timelineLines(view).forEach(out::println);
                    for (RestoreHistory.Restore restore : common.restores().restoresTo(id)) {
                        out.println("  restored to: " + RestoreLines.line(restore));
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Compares two snapshots: per process the state keys that changed, with old and new "
                    + "values; per channel the in-flight counts.")
    static final class DiffCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "A", description = "The earlier snapshot's id.")
        long a;

        @Parameters(index = "1", paramLabel = "B", description = "The later snapshot's id.")
        long b;

        @Mixin
        Common common;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (SnapshotFeed feed = common.open()) {
                Optional<SnapshotView> first = feed.await(a, common.timeout().plusSeconds(5));
                Optional<SnapshotView> second = first.isPresent() ? feed.await(b, common.timeout().plusSeconds(5))
                        : Optional.empty();
                if (first.isEmpty() || second.isEmpty()) {
                    spec.commandLine().getErr().println("snapshot " + (first.isEmpty() ? a : b) + " not found on "
                            + common.topics.collectionTopic);
                    return 1;
                }
                SnapshotDiff.lines(first.get(), second.get()).forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Prints a line for every snapshot as it is assembled, and for every restore when it is "
                    + "written and as its members restore, until Ctrl-C.")
    static final class WatchCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common;

        @Option(names = "--trigger-every", paramLabel = "SECONDS", converter = Durations.class,
                description = "Also publish a trigger this often (default: only watch; trigger with "
                        + "'kafkasnap trigger' or any Kafka client).")
        Duration triggerEvery;

        @Option(names = "--since", paramLabel = "DURATION", converter = Durations.class,
                description = "Only snapshots triggered this long before the watch began or later, e.g. 10m, 2h "
                        + "(default: every snapshot on the topics, the older ones printed while catching up).")
        Duration since;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("watching %s (control topic %s)%s; Ctrl-C to stop%n", common.topics.collectionTopic,
                    common.topics.controlTopic,
                    triggerEvery != null ? ", triggering every " + Durations.human(triggerEvery)
                            + " unless another trigger is younger" : "");
            out.flush();
            Map<String, Object> props = common.kafka.clientProperties();
            if (triggerEvery != null) {
                Kafka.createTopics(props, Map.of(common.topics.controlTopic, Topics.KEEP_FOREVER));
            }
            // On a terminal, a status line of the snapshots in progress is rewritten in place; piped, plain lines.
            boolean terminal = System.console() != null;
            java.util.Properties clientProps = new java.util.Properties();
            clientProps.putAll(props);
            // watch runs for days: keep no snapshot in full once its line is printed
            Optional<Instant> from = Optional.ofNullable(since)
                    .map(d -> Instant.now().minus(d));
            try (SnapshotFeed feed = common.open(1, from);
                 RestoreHistory.Follower restores = RestoreHistory.follow(clientProps, common.topics.controlTopic);
                 ProgressReader progress = terminal ? ProgressReader.open(props, common.topics.controlTopic,
                         common.topics.collectionTopic) : null;
                 SnapshotScheduler scheduler = triggerEvery == null ? null : SnapshotScheduler.builder(clientProps)
                         .controlTopic(common.topics.controlTopic).collectionTopic(common.topics.collectionTopic)
                         .interval(triggerEvery).timeout(common.timeout()).build().start()) {
                String shown = "";
                long startedAt = System.currentTimeMillis();
                while (!Thread.currentThread().isInterrupted()) {
                    List<SnapshotView> assembled = feed.poll(Duration.ofMillis(200));
                    if (progress != null) {
                        assembled.forEach(v -> progress.finished(v.id()));
                    }
                    // each change of a restore (written, a member restored, done) is a line of its own
                    List<RestoreHistory.Restore> changed = restores.poll(Duration.ZERO);
                    String status = progress == null ? "" : ProgressReader.line(progress.poll(Duration.ZERO));
                    if ((!assembled.isEmpty() || !changed.isEmpty()) && !shown.isEmpty()) {
                        out.print("\r\033[K");
                        shown = "";
                    }
                    long readAt = System.currentTimeMillis();
                    for (SnapshotView view : assembled) {
                        out.println(watchLine(view, readAt, startedAt));
                    }
                    for (RestoreHistory.Restore restore : changed) {
                        out.println(RestoreLines.line(restore));
                    }
                    if (terminal && !status.equals(shown)) {
                        out.print("\r\033[K" + status);
                        shown = status;
                    }
                    out.flush();
                    if (scheduler != null && scheduler.failure().isPresent()) {
                        throw new IllegalStateException("scheduler stopped: "
                                + scheduler.failure().get().getMessage(), scheduler.failure().get());
                    }
                }
            }
            return 0;
        }
    }
}
