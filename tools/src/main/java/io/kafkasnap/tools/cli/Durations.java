package io.kafkasnap.tools.cli;

import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code 2}, {@code 0.5} (seconds), {@code 500ms}, {@code 2s}, {@code 1m}, {@code 2h}, {@code 1d}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {

    /** "ms" before "m" and "s": the first suffix that matches wins; no suffix is seconds. */
    private static final String[] SUFFIXES = {"ms", "s", "m", "h", "d"};
    private static final double[] FACTORS = {1, 1_000, 60_000, 3_600_000, 86_400_000};

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        double factor = 1000;
        String number = v;
        for (int i = 0; i < SUFFIXES.length; i++) {
            if (v.endsWith(SUFFIXES[i])) {
                factor = FACTORS[i];
                number = v.substring(0, v.length() - SUFFIXES[i].length());
                break;
            }
        }
        double millis;
        try {
            millis = Double.parseDouble(number) * factor;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; use seconds (2, 0.5) or 500ms, 2s, 1m, 2h, 1d");
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
