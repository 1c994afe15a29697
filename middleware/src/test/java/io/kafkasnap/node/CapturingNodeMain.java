package io.kafkasnap.node;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A node run in a JVM of its own by {@link SnapshotFailureTest}, so that the test can kill it with SIGKILL: process
 * "q" with one incoming channel and a status report every 100 ms. It runs until it is killed.
 *
 * <p>Arguments: bootstrap servers, control topic, collection topic, status topic, state directory, channel.
 */
public final class CapturingNodeMain {

    private CapturingNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Properties kafka = new Properties();
        kafka.put("bootstrap.servers", args[0]);
        SnapshotNode.builder()
                .processId("q")
                .kafkaProperties(kafka)
                .controlTopic(args[1])
                .collectionTopic(args[2])
                .setting(SnapshotNodeConfig.STATUS_TOPIC, args[3])
                .setting(SnapshotNodeConfig.STATUS_INTERVAL_MS, 100L)
                .stateDir(Path.of(args[4]))
                .incoming(args[5])
                .onRecord((ctx, record) -> ctx.state().putLong("seen", ctx.state().getLong("seen", 0) + 1))
                .build()
                .start();
        System.out.println("q running");
        Thread.currentThread().join();
    }
}
