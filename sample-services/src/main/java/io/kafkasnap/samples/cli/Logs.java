package io.kafkasnap.samples.cli;

import java.nio.file.Path;

/** Where log4j2.xml sends the logs (the broker's and ours): the console only shows our warnings. */
final class Logs {

    private Logs() {
    }

    static Path file() {
        return Path.of(System.getProperty("kafkasnap.log.dir", "./kafkasnap-logs"), "kafkasnap.log")
                .toAbsolutePath().normalize();
    }
}
