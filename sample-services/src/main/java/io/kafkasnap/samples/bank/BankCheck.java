package io.kafkasnap.samples.bank;

import com.fasterxml.jackson.databind.JsonNode;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The bank's invariant on one global snapshot: the balances in the members' states plus the amounts of the
 * transfers recorded in flight on the channels add up to the money the bank started with.
 */
public final class BankCheck {

    private BankCheck() {
    }

    /**
     * @param snapshot      id
     * @param status        complete, incomplete or timed-out
     * @param members       the snapshot's members
     * @param inFlight      number of transfers recorded in flight
     * @param balances      sum of the members' balances
     * @param inFlightMoney sum of the amounts in flight
     * @param expected      money the bank started with, if known
     * @param problems      why the snapshot is not good (empty when it is): status, consistency violations,
     *                      missing balances, malformed transfers, money not conserved
     */
    public record Result(long snapshot, String status, List<String> members, int inFlight, long balances,
                         long inFlightMoney, OptionalLong expected, List<String> problems) {

        public long total() {
            return balances + inFlightMoney;
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        /** consistent, or INCONSISTENT/INCOMPLETE with the first reasons. */
        public String verdict() {
            if (ok()) {
                return "consistent";
            }
            String head = "complete".equals(status) ? "INCONSISTENT" : status.toUpperCase(java.util.Locale.ROOT);
            return head + ": " + String.join("; ", problems.subList(0, Math.min(3, problems.size())))
                    + (problems.size() > 3 ? " (+" + (problems.size() - 3) + " more)" : "");
        }
    }

    public static Result check(JsonNode globalSnapshot, OptionalLong expectedTotal) {
        return check(new SnapshotView(globalSnapshot), expectedTotal);
    }

    public static Result check(SnapshotView snapshot, OptionalLong expectedTotal) {
        List<String> problems = new ArrayList<>();
        if (!snapshot.isComplete()) {
            problems.add("status " + snapshot.status() + (snapshot.reason().isEmpty() ? ""
                    : " (" + snapshot.reason() + ": " + snapshot.detail() + ")"));
        }
        if (!snapshot.consistencyChecked()) {
            problems.add("consistency not checked");
        }
        for (String violation : snapshot.violations()) {
            problems.add("violation: " + violation);
        }
        long balances = 0;
        for (String member : snapshot.members()) {
            JsonNode state = snapshot.states().get(member);
            JsonNode balance = state == null ? null : state.get(BankService.BALANCE);
            if (balance == null || balance.isNull()) {
                problems.add(member + " has no " + BankService.BALANCE + " in its state");
                continue;
            }
            try {
                balances += SnapshotView.asLong(balance, 0);
            } catch (IllegalArgumentException e) {
                problems.add(member + "'s " + BankService.BALANCE + " " + e.getMessage());
            }
        }
        long inFlightMoney = 0;
        int inFlight = 0;
        for (Map.Entry<String, List<JsonNode>> channel : snapshot.channelMessages().entrySet()) {
            for (JsonNode message : channel.getValue()) {
                inFlight++;
                try {
                    inFlightMoney += BankService.amountOf(message.path("value"));
                } catch (IllegalArgumentException e) {
                    problems.add(channel.getKey() + "@" + message.path("offset").asText() + ": " + e.getMessage());
                }
            }
        }
        long total = balances + inFlightMoney;
        if (expectedTotal.isPresent() && total != expectedTotal.getAsLong() && snapshot.isComplete()) {
            problems.add("money not conserved: " + balances + " in balances + " + inFlightMoney + " in flight = "
                    + total + ", expected " + expectedTotal.getAsLong());
        }
        return new Result(snapshot.id(), snapshot.status(), snapshot.members(), inFlight, balances, inFlightMoney,
                expectedTotal, List.copyOf(problems));
    }
}
