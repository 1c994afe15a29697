package io.kafkasnap.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SlotWindowTest {

    /** Random adds (with gaps), removals out of order and clears, checked against a map after every operation. */
    @Property(tries = 200)
    void holdsWhatAMapWouldThroughAddsRemovalsAndClears(@ForAll long seed) {
        Random random = new Random(seed);
        SlotWindow<String> window = new SlotWindow<>();
        Map<Long, String> model = new HashMap<>();
        List<Long> ids = new ArrayList<>();
        long next = random.nextInt(1000);
        for (int op = 0; op < 3000; op++) {
            int kind = random.nextInt(100);
            if (kind < 55) {
                next += 1 + (random.nextInt(10) == 0 ? random.nextInt(50) : 0);
                window.add(next, "v" + next);
                model.put(next, "v" + next);
                ids.add(next);
            } else if (kind < 99 && !ids.isEmpty()) {
                // mostly the oldest, as acknowledgements come, sometimes any
                int i = random.nextInt(4) == 0 ? random.nextInt(ids.size()) : 0;
                long id = ids.remove(i);
                window.remove(id);
                model.remove(id);
            } else if (kind == 99) {
                window.clear();
                model.clear();
                ids.clear();
            }
            assertThat(window.size()).as("seed %d, op %d", seed, op).isEqualTo(model.size());
            for (int probe = 0; probe < 5; probe++) {
                long id = next - random.nextInt(200);
                assertThat(window.get(id)).as("seed %d, op %d, id %d", seed, op, id).isEqualTo(model.get(id));
            }
        }
    }

    @Test
    void anIdNotAboveTheNewestIsRefused() {
        SlotWindow<String> window = new SlotWindow<>();
        window.add(5, "a");
        assertThatThrownBy(() -> window.add(5, "b")).hasMessageContaining("id 5 is not above the newest, 5");
    }

    @Test
    void removingWhatIsNotThereChangesNothing() {
        SlotWindow<String> window = new SlotWindow<>();
        window.add(10, "a");
        window.remove(3);
        window.remove(11);
        window.remove(10);
        window.remove(10);
        assertThat(window.size()).isZero();
        window.add(2, "after emptying, any id");
        assertThat(window.get(2)).isEqualTo("after emptying, any id");
    }
}
