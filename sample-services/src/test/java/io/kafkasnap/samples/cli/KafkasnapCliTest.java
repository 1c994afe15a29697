package io.kafkasnap.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkasnap.samples.bank.BankCluster;
import io.kafkasnap.samples.bank.BankTopology;
import io.kafkasnap.tools.common.Kafka;
import io.kafkasnap.tools.common.SnapshotView;
import io.kafkasnap.testing.KafkaFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The kafkasnap command line, run in-process against the test broker. */
class KafkasnapCliTest {

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return Arrays.asList(out.split("\\R"));
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = KafkasnapCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void demoTakesThreeConsistentSnapshotsAndExitsZero() throws Exception {
        Path json = dir.resolve("json");
        String prefix = KafkaFixture.uniqueTopic("demo") + ".";
        Run run = run("demo", "--snapshots", "3", "--interval", "0.5", "--bootstrap", KafkaFixture.bootstrapServers(),
                "--topic-prefix", prefix, "--json", json.toString(), "--seed", "7");

        assertThat(run.exitCode()).as("exit code; out:%n%s%nerr:%n%s", run.out(), run.err()).isZero();
        List<String> snapshotLines = run.lines().stream().filter(l -> l.startsWith("snapshot ")).toList();
        assertThat(snapshotLines).as(run.out()).hasSize(3).allSatisfy(line -> assertThat(line)
                .matches("snapshot \\d+ +members bank-0,bank-1,bank-2 \\| in flight +\\d+ \\| total 3000 = \\d+ \\+ \\d+"
                        + " in flight \\| expected 3000 \\| consistent \\| trigger -> assembled\\+checked \\d+ ms"));
        assertThat(run.out()).contains("3 snapshots: 3 consistent and conserving money, 0 not");
        assertThat(run.lines().subList(0, 6)).as("the dashboard's address in the first lines").anySatisfy(
                line -> assertThat(line).matches("dashboard: http://localhost:\\d+/"));
        try (var files = Files.list(json)) {
            List<Path> written = files.toList();
            assertThat(written).hasSize(3);
            SnapshotView view = SnapshotView.parse(Files.readAllBytes(written.get(0)));
            assertThat(view.isConsistent()).isTrue();
            assertThat(view.members()).containsExactly("bank-0", "bank-1", "bank-2");
        }
    }

    @Test
    void triggerPrintsTheIdAndSnapshotsShowAndListFindIt() {
        String prefix = KafkaFixture.uniqueTopic("cli") + ".";
        Map<String, Object> props = Kafka.clientProperties(KafkaFixture.bootstrapServers());
        String control = prefix + "control";
        String collection = prefix + "fragments";
        String bootstrap = KafkaFixture.bootstrapServers();
        try (BankCluster bank = BankCluster.start(new BankCluster.Config(props, BankTopology.parse("ring", 3), prefix,
                control, collection, dir.resolve("state"), 500, 50, 11))) {
            assertThat(bank.nodes()).hasSize(3);
            Run trigger = run("trigger", "--bootstrap", bootstrap, "--control-topic", control);
            assertThat(trigger.exitCode()).as(trigger.err()).isZero();
            assertThat(trigger.out().trim()).as("the snapshot id").matches("\\d+");
            String id = trigger.out().trim();

            Run show = run("snapshots", "show", id, "--json", "--bootstrap", bootstrap, "--control-topic", control,
                    "--collection-topic", collection);
            assertThat(show.exitCode()).as(show.err()).isZero();
            SnapshotView view = SnapshotView.parse(show.out().getBytes(StandardCharsets.UTF_8));
            assertThat(view.id()).isEqualTo(Long.parseLong(id));
            assertThat(view.isConsistent()).as(show.out()).isTrue();
            assertThat(view.members()).containsExactly("bank-0", "bank-1", "bank-2");

            Run initiated = run("trigger", "--initiator", "bank-1", "--bootstrap", bootstrap, "--control-topic", control);
            assertThat(initiated.exitCode()).as(initiated.err()).isZero();
            Run showText = run("snapshots", "show", initiated.out().trim(), "--bootstrap", bootstrap,
                    "--control-topic", control, "--collection-topic", collection);
            assertThat(showText.exitCode()).as(showText.err()).isZero();
            assertThat(showText.out()).contains("complete", "consistent", "money 1500", "bank-0", prefix + "bank.0.1");
            // the initiator read the trigger, the others were reached by its markers
            String points = " +seen \\+\\d+ +captured \\+\\d+ +acked \\+\\d+ +last in \\+\\d+ +read out \\+\\d+"
                    + " +published \\+\\d+";
            assertThat(showText.lines()).as(showText.out())
                    .anySatisfy(l -> assertThat(l).startsWith("  timeline, ms after the trigger record"))
                    .anySatisfy(l -> assertThat(l).matches(" +bank-1 +by trigger" + points))
                    .anySatisfy(l -> assertThat(l).matches(" +bank-0 +by marker" + points))
                    .anySatisfy(l -> assertThat(l).matches(" +bank-2 +by marker" + points));

            Run list = run("snapshots", "list", "--bootstrap", bootstrap, "--control-topic", control,
                    "--collection-topic", collection);
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains("snapshot " + id + " ", "snapshot " + initiated.out().trim() + " ");

            Run diff = run("snapshots", "diff", id, initiated.out().trim(), "--bootstrap", bootstrap,
                    "--control-topic", control, "--collection-topic", collection);
            assertThat(diff.exitCode()).as(diff.err()).isZero();
            assertThat(diff.lines().get(0)).startsWith("snapshot " + id + " (complete, ")
                    .contains("-> snapshot " + initiated.out().trim() + " (complete, ");
            assertThat(diff.lines()).as(diff.out())
                    .anySatisfy(l -> assertThat(l).matches("  bank-\\d +(balance: \\d+ -> \\d+|unchanged)"))
                    .anySatisfy(l -> assertThat(l).matches("  " + java.util.regex.Pattern.quote(prefix)
                            + "bank\\.0\\.1 +in flight \\d+ -> \\d+"));
        }
    }

    @Test
    void badOptionsGetAClearErrorAndANonZeroExit() {
        Run badTopology = run("demo", "--topology", "star");
        assertThat(badTopology.exitCode()).isEqualTo(2);
        assertThat(badTopology.err()).contains("unknown topology 'star'");

        Run badServices = run("demo", "--services", "1");
        assertThat(badServices.exitCode()).isEqualTo(2);
        assertThat(badServices.err()).contains("--services must be at least 2");

        Run badInterval = run("demo", "--interval", "soon");
        assertThat(badInterval.exitCode()).isEqualTo(2);
        assertThat(badInterval.err()).contains("'soon' is not a duration");

        Run noBootstrap = run("trigger");
        assertThat(noBootstrap.exitCode()).isEqualTo(2);
        assertThat(noBootstrap.err()).contains("--bootstrap");

        Run noChannels = run("bank", "--id", "b", "--bootstrap", "localhost:1");
        assertThat(noChannels.exitCode()).isEqualTo(2);
        assertThat(noChannels.err()).contains("at least one of --in and --out");

        Run unknown = run("snapshots", "frobnicate", "--bootstrap", "x:1");
        assertThat(unknown.exitCode()).isEqualTo(2);
    }
}
