package io.kafkasnap.samples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --rate}: messages per second each sending service sends; the command sets its own default. */
final class RateOption {

    @Option(names = "--rate", paramLabel = "MSGS_PER_S",
            description = "Messages per second each sending service sends (default: ${DEFAULT-VALUE}).")
    double rate;

    RateOption() {
    }

    RateOption(double defaultRate) {
        this.rate = defaultRate;
    }

    /** The rate; {@code --rate} must be at least 0, or above 0 when {@code positive}. */
    double rate(CommandLine.Model.CommandSpec spec, boolean positive) {
        if (Double.isNaN(rate) || Double.isInfinite(rate) || rate < 0 || (positive && rate == 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--rate must be " + (positive ? "> 0" : ">= 0") + ", got " + rate);
        }
        return rate;
    }
}
