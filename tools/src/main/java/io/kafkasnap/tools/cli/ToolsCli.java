package io.kafkasnap.tools.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operator tools for any snapshot group: {@code trigger}, {@code snapshots list/show/diff/watch/prune},
 * {@code restore} and {@code dashboard}. Runs on its own ({@link #main}) or inside another command line that adds
 * {@link #addCommands} (the samples' {@code kafkasnap} does).
 */
@Command(name = "kafkasnap-tools", mixinStandardHelpOptions = true,
        description = "Triggers, shows, prunes and restores the global snapshots of a kafkasnap group, and serves "
                + "its dashboard.")
public final class ToolsCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Logs.nameRun(args);
        System.exit(commandLine().execute(args));
    }

    /** The tools' own command line, with {@link #configure}'s error handling. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ToolsCli());
        addCommands(cli);
        cli.addSubcommand(new CommandLine.HelpCommand());
        return configure(cli);
    }

    /** The names of the subcommands {@link #addCommands} adds. */
    public static List<String> commandNames() {
        return List.of("trigger", "snapshots", "restore", "dashboard");
    }

    /** Adds the tools' subcommands to {@code cli}. */
    public static CommandLine addCommands(CommandLine cli) {
        cli.addSubcommand(new TriggerCommand());
        cli.addSubcommand(new SnapshotsCommand());
        cli.addSubcommand(new RestoreCommand());
        cli.addSubcommand(new DashboardCommand());
        return cli;
    }

    /**
     * Error handling for every subcommand of {@code cli} (call it once every subcommand is added): a bad option says
     * what is wrong and where help is, without the whole usage text; a failure while running (an unreachable broker,
     * a refused login) is one line naming the command, with secrets masked; {@code -Dkafkasnap.debug=true} adds the
     * stack trace. Exit 2 for a bad option or value, 1 for a failure.
     */
    public static CommandLine configure(CommandLine cli) {
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(command.getColorScheme().errorText(name(command) + ": " + e.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for its options.");
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println(command.getColorScheme().errorText(
                    name(command) + ": " + KafkaClientOptions.redact(message(e))));
            if (Boolean.getBoolean("kafkasnap.debug")) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                command.getErr().print(KafkaClientOptions.redact(trace.toString()));
            }
            command.getErr().flush();
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli;
    }

    /** {@code snapshots list}: the command's words without the program's name. */
    private static String name(CommandLine command) {
        String qualified = command.getCommandSpec().qualifiedName(" ");
        int space = qualified.indexOf(' ');
        return space < 0 ? qualified : qualified.substring(space + 1);
    }

    /**
     * The words to print for a failure: its own message, or its cause's when it has none; a Kafka client's "Failed
     * to construct kafka consumer" gets the root cause beside it (a bad setting, an address that does not resolve).
     */
    static String message(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (message.startsWith("Failed to construct kafka")) {
            Throwable root = cause;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            if (root != cause && root.getMessage() != null) {
                message = message + ": " + root.getMessage();
            }
        }
        return message;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
