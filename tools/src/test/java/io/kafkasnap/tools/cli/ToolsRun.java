package io.kafkasnap.tools.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** One in-process run of the tools' command line. */
record ToolsRun(int exitCode, String out, String err) {

    static ToolsRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ToolsCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new ToolsRun(code, out.toString(), err.toString());
    }

    List<String> lines() {
        return Arrays.asList(out.split("\\R"));
    }
}
