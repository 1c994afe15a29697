package io.kafkasnap.samples.spring.bank;

import io.kafkasnap.api.IncomingRecord;
import io.kafkasnap.api.NodeContext;
import io.kafkasnap.api.RecordHandler;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** Receiving a transfer {@code {"amount":N}} adds N to the branch's balance. */
@Component
public class Branch implements RecordHandler {

    public static final String BALANCE = "balance";
    private static final Pattern AMOUNT = Pattern.compile("\\{\"amount\":(\\d+)}");

    @Override
    public void handle(NodeContext ctx, IncomingRecord record) {
        ctx.state().putLong(BALANCE, ctx.state().getLong(BALANCE, 0) + amountOf(record.value()));
    }

    public static byte[] transfer(long amount) {
        return ("{\"amount\":" + amount + "}").getBytes(StandardCharsets.UTF_8);
    }

    public static long amountOf(byte[] value) {
        String text = value == null ? "null" : new String(value, StandardCharsets.UTF_8);
        Matcher m = AMOUNT.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("a transfer is {\"amount\":N}, got " + text);
        }
        return Long.parseLong(m.group(1));
    }
}
