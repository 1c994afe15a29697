package io.kafkasnap.tools.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the command line's log file is: one file per run of a command, {@code <command>-<time>-<pid>.log} in
 * {@code kafkasnap.log.dir} (default {@code ./kafkasnap-logs}), so that a run's lines are not mixed with another's
 * and no file grows for good. The log configuration reads the system property {@link #FILE_PROPERTY}, which
 * {@link #nameRun} sets before the first line is logged.
 */
public final class Logs {

    public static final String DIR_PROPERTY = "kafkasnap.log.dir";
    public static final String FILE_PROPERTY = "kafkasnap.log.file";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private Logs() {
    }

    /**
     * Names this run's log file after the command in {@code args} ({@code snapshots list} gives
     * {@code snapshots-list-20260101-120000-4242.log}); keeps a name set already (by {@code -Dkafkasnap.log.file}).
     * Call first thing in {@code main}, before anything logs.
     */
    public static void nameRun(String[] args) {
        if (System.getProperty(FILE_PROPERTY) != null) {
            return;
        }
        List<String> words = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("-") || words.size() == 2 || !arg.matches("[a-z][a-z-]{0,30}")) {
                break;
            }
            words.add(arg);
        }
        String command = words.isEmpty() ? "kafkasnap" : String.join("-", words);
        System.setProperty(FILE_PROPERTY, command + "-" + LocalDateTime.now().format(TIME) + "-"
                + ProcessHandle.current().pid() + ".log");
    }

    /** This run's log file. */
    public static Path file() {
        return Path.of(System.getProperty(DIR_PROPERTY, "./kafkasnap-logs"),
                        System.getProperty(FILE_PROPERTY, "kafkasnap.log"))
                .toAbsolutePath().normalize();
    }
}
