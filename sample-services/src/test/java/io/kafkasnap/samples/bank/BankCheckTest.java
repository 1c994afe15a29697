package io.kafkasnap.samples.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkasnap.tools.common.SnapshotView;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BankCheckTest {

    private static SnapshotView snapshot(String status, int balance0, int inFlight, String violations) {
        String json = """
                {"v":1,"snapshot":42,"status":"%s","triggeredAt":1000,"completedAt":1100,
                 "members":["bank-0","bank-1"],
                 "processes":{"bank-0":{"state":{"balance":%d},"recordedAt":1010},
                              "bank-1":{"state":{"balance":1000},"recordedAt":1011}},
                 "channels":{"bank.0.1":{"from":"bank-0","to":"bank-1","recordedFrom":3,"markerOffset":4,
                                         "messages":[{"offset":3,"key":null,"value":{"amount":%d}}]}},
                 "consistency":{"checked":true,"violations":%s}}
                """.formatted(status, balance0, inFlight, violations);
        return SnapshotView.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void countsBalancesAndMoneyInFlight() {
        BankCheck.Result result = BankCheck.check(snapshot("complete", 970, 30, "[]"), OptionalLong.of(2000));
        assertThat(result.ok()).as(result.problems().toString()).isTrue();
        assertThat(result.balances()).isEqualTo(1970);
        assertThat(result.inFlightMoney()).isEqualTo(30);
        assertThat(result.inFlight()).isEqualTo(1);
        assertThat(result.verdict()).isEqualTo("consistent");
    }

    @Test
    void moneyNotConservedIsAProblem() {
        BankCheck.Result result = BankCheck.check(snapshot("complete", 970, 31, "[]"), OptionalLong.of(2000));
        assertThat(result.ok()).isFalse();
        assertThat(result.verdict()).startsWith("INCONSISTENT").contains("2001", "expected 2000");
    }

    @Test
    void violationsAndIncompleteSnapshotsAreProblems() {
        assertThat(BankCheck.check(snapshot("complete", 970, 30,
                "[{\"rule\":3,\"channel\":\"bank.0.1\",\"message\":\"x\"}]"), OptionalLong.of(2000)).verdict())
                .startsWith("INCONSISTENT").contains("violation");
        assertThat(BankCheck.check(snapshot("timed-out", 970, 30, "[]"), OptionalLong.of(2000)).verdict())
                .startsWith("TIMED-OUT");
    }

    @Test
    void transfersAreAmountJson() {
        assertThat(BankService.amountOf(BankService.transfer(17))).isEqualTo(17);
        assertThatThrownBy(() -> BankService.amountOf("{\"amount\":-1}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BankService.amountOf("hello".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not JSON");
    }
}
