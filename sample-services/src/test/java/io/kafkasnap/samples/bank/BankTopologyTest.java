package io.kafkasnap.samples.bank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BankTopologyTest {

    @Test
    void fullAndRing() {
        assertThat(BankTopology.parse("full", 3).allTopics("")).containsExactly(
                "bank.0.1", "bank.0.2", "bank.1.0", "bank.1.2", "bank.2.0", "bank.2.1");
        BankTopology ring = BankTopology.parse("ring", 3);
        assertThat(ring.allTopics("p.")).containsExactly("p.bank.0.1", "p.bank.1.2", "p.bank.2.0");
        assertThat(ring.incoming("", 0)).containsExactly("bank.2.0");
        assertThat(ring.outgoing("", 0)).containsExactly("bank.0.1");
    }

    @Test
    void randomIsSeededAndStronglyConnected() {
        for (long seed = 0; seed < 200; seed++) {
            for (int n = 2; n <= 10; n++) {
                BankTopology t = BankTopology.parse("random:" + seed, n);
                assertThat(t.edges()).as("seed %d n %d", seed, n).isEqualTo(BankTopology.parse("random:" + seed, n).edges());
                for (int i = 0; i < n; i++) {
                    assertThat(t.incoming("", i)).as("seed %d n %d branch %d", seed, n, i).isNotEmpty();
                    assertThat(t.outgoing("", i)).as("seed %d n %d branch %d", seed, n, i).isNotEmpty();
                }
                assertThat(reachable(t, 0)).as("seed %d n %d", seed, n).hasSize(n);
            }
        }
    }

    @Test
    void randomWithAChannelCountHasExactlyThatManySeededAndStronglyConnected() {
        for (long seed = 0; seed < 50; seed++) {
            for (int channels : new int[] {50, 51, 120, 200, 50 * 49}) {
                String spec = "random:" + seed + ":" + channels;
                BankTopology t = BankTopology.parse(spec, 50);
                assertThat(t.edges()).as(spec).hasSize(channels).doesNotHaveDuplicates()
                        .allSatisfy(e -> assertThat(e.from()).as(spec).isNotEqualTo(e.to()))
                        .isEqualTo(BankTopology.parse(spec, 50).edges());
                assertThat(reachable(t, 0)).as(spec).hasSize(50);
            }
        }
        assertThat(BankTopology.parse("random:1:200", 50).edges())
                .isNotEqualTo(BankTopology.parse("random:2:200", 50).edges());
    }

    @Test
    void badSpecsSayWhatIsWrong() {
        assertThatThrownBy(() -> BankTopology.parse("random:1:3", 5))
                .hasMessageContaining("CHANNELS between 5 (a ring) and 20 (full), got 'random:1:3'");
        assertThatThrownBy(() -> BankTopology.parse("random:1:21", 5)).hasMessageContaining("got 'random:1:21'");
        assertThatThrownBy(() -> BankTopology.parse("random:1:many", 5)).hasMessageContaining("got 'random:1:many'");
        assertThatThrownBy(() -> BankTopology.parse("star", 3)).hasMessageContaining("unknown topology 'star'");
        assertThatThrownBy(() -> BankTopology.parse("random:x", 3)).hasMessageContaining("integer SEED");
        assertThatThrownBy(() -> BankTopology.parse("full", 1)).hasMessageContaining("at least 2");
    }

    private static Set<Integer> reachable(BankTopology t, int start) {
        Set<Integer> seen = new HashSet<>(Set.of(start));
        ArrayDeque<Integer> queue = new ArrayDeque<>(Set.of(start));
        while (!queue.isEmpty()) {
            int from = queue.poll();
            t.edges().stream().filter(e -> e.from() == from).forEach(e -> {
                if (seen.add(e.to())) {
                    queue.add(e.to());
                }
            });
        }
        return seen;
    }
}
