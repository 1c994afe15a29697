package io.kafkasnap.kafka;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Masks the secrets among Kafka client settings wherever settings are printed: {@code sasl.jaas.config} (it holds
 * the password), anything named like a password, secret, token or credential, and private key material. Kafka's
 * own clients hide their password-typed settings in their logs; this covers what kafkasnap itself prints and
 * settings Kafka does not know.
 */
public final class Secrets {

    public static final String HIDDEN = "[hidden]";

    private static final List<String> SECRET_KEY_PARTS = List.of("password", "secret", "jaas", "token",
            "credential", "ssl.keystore.key", "ssl.key.");
    /** A JAAS value, whatever key holds it, carries its password inline. */
    private static final Pattern INLINE_PASSWORD =
            Pattern.compile("(?i)password\\s*=\\s*(\"([^\"]*)\"|([^\\s;]+))");
    /** Shorter values would mask ordinary words in a message. */
    private static final int MIN_REDACTED_LENGTH = 4;

    private Secrets() {
    }

    /** Whether the setting's value must never be printed. */
    public static boolean isSecret(String key, Object value) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String part : SECRET_KEY_PARTS) {
            if (lower.contains(part)) {
                return true;
            }
        }
        return value != null && INLINE_PASSWORD.matcher(String.valueOf(value)).find();
    }

    /** The settings sorted by key, each secret value replaced by {@value #HIDDEN}. */
    public static Map<String, String> masked(Map<String, ?> settings) {
        Map<String, String> masked = new TreeMap<>();
        settings.forEach((key, value) -> masked.put(key, isSecret(key, value) ? HIDDEN : String.valueOf(value)));
        return masked;
    }

    /** {@code key=value, ...} for a log line, secrets masked. */
    public static String describe(Map<String, ?> settings) {
        return masked(settings).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /**
     * The text with every secret value of the settings (and every password inside a JAAS value) replaced by
     * {@value #HIDDEN}: for messages that may quote a setting, such as a client's configuration error.
     */
    public static String redact(String text, Map<String, ?> settings) {
        if (text == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        settings.forEach((key, value) -> {
            if (value != null && isSecret(key, value)) {
                String s = String.valueOf(value);
                secrets.add(s);
                Matcher inline = INLINE_PASSWORD.matcher(s);
                while (inline.find()) {
                    secrets.add(inline.group(2) != null ? inline.group(2) : inline.group(3));
                }
            }
        });
        secrets.sort(Comparator.comparingInt(String::length).reversed()); // a whole value before its parts
        String redacted = text;
        for (String secret : secrets) {
            if (secret.length() >= MIN_REDACTED_LENGTH) {
                redacted = redacted.replace(secret, HIDDEN);
            }
        }
        return redacted;
    }
}
