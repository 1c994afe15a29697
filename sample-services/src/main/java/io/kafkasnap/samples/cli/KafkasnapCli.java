package io.kafkasnap.samples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kafkasnap}: the demo, a standalone broker, bank services, triggers, snapshots and the benchmark. */
@Command(name = "kafkasnap",
        mixinStandardHelpOptions = true,
        versionProvider = KafkasnapCli.Version.class,
        description = "Consistent global snapshots (Chandy-Lamport) of services that talk over Kafka.",
        subcommands = {
                DemoCommand.class,
                KafkaCommand.class,
                BankCommand.class,
                PipelineCommand.class,
                DashboardCommand.class,
                TriggerCommand.class,
                RestoreCommand.class,
                ChaosCommand.class,
                SnapshotsCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class
        })
public final class KafkasnapCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; never calls System.exit (tests run it in-process). */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new KafkasnapCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // A user error (bad option value, unreachable broker): one clear line, not a stack trace.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getMessage() == null) {
                cause = cause.getCause();
            }
            commandLine.getErr().println(commandLine.getColorScheme().errorText(
                    commandLine.getCommandName() + ": " + KafkaClientOptions.redact(cause.getMessage())));
            if (Boolean.getBoolean("kafkasnap.debug")) {
                java.io.StringWriter trace = new java.io.StringWriter();
                e.printStackTrace(new java.io.PrintWriter(trace));
                commandLine.getErr().print(KafkaClientOptions.redact(trace.toString()));
            }
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli;
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
