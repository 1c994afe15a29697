package io.kafkasnap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every interleaving of triggers, deliveries, acks, readouts and app sends on small topologies, on the real core.
 * The bound is the default one unless {@code -Dkafkasnap.check.bound=large} (the {@code exhaustive} profile).
 */
class ExhaustiveCheckTest {

    static final boolean LARGE = "large".equals(System.getProperty("kafkasnap.check.bound"));
    static final int APP_MESSAGES = LARGE ? 4 : 3;

    static Stream<SimScenario> scenarios() {
        return Stream.of(
                SimScenario.twoSnapshots(SimTopology.twoNodesBothWays(), APP_MESSAGES, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.completeGraphOf3(), APP_MESSAGES, "a", "b"),
                SimScenario.twoSnapshots(SimTopology.directedRingOf3(), APP_MESSAGES, "a", "b"),
                // The source must be an initiator: nothing reaches it, so it records only on a trigger.
                SimScenario.twoSnapshots(SimTopology.dagOf4(), APP_MESSAGES, "src", "w1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyInterleavingGivesConsistentSnapshotsThatComplete(SimScenario scenario) {
        CheckResult result = ExhaustiveChecker.check(scenario);

        System.out.println(result.summary());
        assertThat(result.counterexample()).as(() -> result.counterexample().map(Counterexample::trace).orElse(""))
                .isEmpty();
        assertThat(result.executions()).isPositive();
    }
}
