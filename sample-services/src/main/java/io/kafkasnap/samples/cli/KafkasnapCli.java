package io.kafkasnap.samples.cli;

import io.kafkasnap.tools.cli.Logs;
import io.kafkasnap.tools.cli.ToolsCli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kafkasnap}: one command for everything. The samples' own subcommands (the demo, a standalone broker, bank
 * and pipeline services, chaos, the benchmark) and the operator tools' ({@code trigger}, {@code snapshots},
 * {@code restore}, {@code dashboard}, from the tools module, with the bank's and the pipeline's checks plugged in).
 */
@Command(name = "kafkasnap",
        mixinStandardHelpOptions = true,
        versionProvider = KafkasnapCli.Version.class,
        description = "Consistent global snapshots (Chandy-Lamport) of services that talk over Kafka.",
        subcommands = {
                DemoCommand.class,
                KafkaCommand.class,
                BankCommand.class,
                PipelineCommand.class,
                ChaosCommand.class,
                BenchCommand.class
        })
public final class KafkasnapCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // before anything logs: this run's log file is named after its command
        Logs.nameRun(args);
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; never calls System.exit (tests run it in-process). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new KafkasnapCli());
        ToolsCli.addCommands(cli);
        cli.addSubcommand(new CommandLine.HelpCommand());
        return ToolsCli.configure(cli);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = KafkasnapCli.class.getPackage().getImplementationVersion();
            return new String[] {"kafkasnap " + (version != null ? version : "(development build)")};
        }
    }
}
