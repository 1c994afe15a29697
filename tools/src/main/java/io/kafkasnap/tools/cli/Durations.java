package io.kafkasnap.tools.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code 2}, {@code 0.5} (seconds), {@code 500ms}, {@code 2s}, {@code 1m}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        double factor;
        String number;
        if (v.endsWith("ms")) {
            factor = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            factor = 1000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factor = 60_000;
            number = v.substring(0, v.length() - 1);
        } else {
            factor = 1000;
            number = v;
        }
        double millis;
        try {
            millis = Double.parseDouble(number) * factor;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; use seconds (2, 0.5) or 500ms, 2s, 1m");
        }
        if (!(millis > 0) || Double.isInfinite(millis)) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be a positive duration");
        }
        return Duration.ofMillis(Math.max(1, Math.round(millis)));
    }

    /** {@code 2 s}, or {@code 500 ms} when not whole seconds. */
    public static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
