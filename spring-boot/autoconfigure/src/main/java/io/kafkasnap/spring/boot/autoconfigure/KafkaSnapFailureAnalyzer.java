package io.kafkasnap.spring.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says at start which property the node refused and why, instead of a stack trace. */
class KafkaSnapFailureAnalyzer extends AbstractFailureAnalyzer<KafkaSnapConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KafkaSnapConfigurationException cause) {
        return new FailureAnalysis(
                "The kafkasnap node cannot run with " + cause.getProperty()
                        + (cause.getValue() == null ? "" : "=" + cause.getValue()) + ": " + cause.getReason(),
                "Change or remove " + cause.getProperty() + ".", cause);
    }
}
