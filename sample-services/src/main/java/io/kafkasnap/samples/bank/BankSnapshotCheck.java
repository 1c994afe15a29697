package io.kafkasnap.samples.bank;

import io.kafkasnap.tools.SnapshotCheck;
import io.kafkasnap.tools.common.SnapshotView;
import java.util.List;
import java.util.OptionalLong;

/**
 * The bank's invariant for the operator tools (found through {@code META-INF/services}): in a complete snapshot of
 * a bank, the balances plus the transfers in flight are the money the bank holds ({@link BankCheck}). The tools do
 * not know the bank's starting money; the demo, which does, passes it.
 */
public final class BankSnapshotCheck implements SnapshotCheck {

    private final OptionalLong expected;

    /** As the tools load it: the money is summed, not compared. */
    public BankSnapshotCheck() {
        this(OptionalLong.empty());
    }

    public BankSnapshotCheck(OptionalLong expected) {
        this.expected = expected;
    }

    @Override
    public String name() {
        return "bank";
    }

    /** A complete snapshot whose every member's state holds a balance. */
    @Override
    public boolean appliesTo(SnapshotView snapshot) {
        return snapshot.isComplete() && !snapshot.members().isEmpty() && snapshot.members().stream()
                .allMatch(m -> snapshot.states().containsKey(m) && snapshot.states().get(m).has(BankService.BALANCE));
    }

    @Override
    public Verdict check(SnapshotView snapshot) {
        BankCheck.Result result = BankCheck.check(snapshot, expected);
        String money = "money " + result.total() + " = " + result.balances() + " + " + result.inFlightMoney()
                + " in flight";
        if (expected.isPresent() && result.total() != expected.getAsLong()) {
            money += ", expected " + expected.getAsLong();
        }
        // status and rules 1-3 are the tools' own verdict; here only what is the bank's
        List<String> problems = result.problems().stream()
                .filter(p -> !p.startsWith("status ") && !p.equals("consistency not checked")
                        && !p.startsWith("violation: "))
                .toList();
        return problems.isEmpty() ? Verdict.ok(money) : Verdict.failed(money, problems);
    }
}
