package io.kafkasnap.samples.bank;

import io.kafkasnap.collect.GlobalSnapshot;
import java.util.Map;
import java.util.TreeMap;

/** The bank's money in an assembled snapshot: balances, transfers in flight, and what a restore must give back. */
public final class BankMoney {

    private BankMoney() {
    }

    /** Each branch's balance in the snapshot. */
    public static Map<String, Long> balances(GlobalSnapshot s) {
        Map<String, Long> balances = new TreeMap<>();
        s.processes().forEach((id, p) -> balances.put(id, p.state().get(BankService.BALANCE).asLong()));
        return balances;
    }

    /** Each branch's balance once the snapshot is restored and the transfers it recorded in flight are delivered. */
    public static Map<String, Long> afterRestore(GlobalSnapshot s) {
        Map<String, Long> balances = balances(s);
        s.channels().values().forEach(c -> c.messages().forEach(m ->
                balances.merge(c.to(), BankService.amountOf(m.value()), Long::sum)));
        return balances;
    }

    /** Balances plus the amounts in flight: the money the snapshot holds. */
    public static long total(GlobalSnapshot s) {
        return afterRestore(s).values().stream().mapToLong(Long::longValue).sum();
    }
}
