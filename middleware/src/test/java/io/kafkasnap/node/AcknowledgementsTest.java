package io.kafkasnap.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcknowledgementsTest {

    @Test
    void everyAcknowledgementAddedWhileTheLoopDrainsReachesItOnceAndInOrder() throws Exception {
        Acknowledgements acknowledgements = new Acknowledgements();
        int n = 100_000; // past the first array's size, so it grows while drains swap arrays
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                acknowledgements.add(i, i % 7, 10L * i);
            }
        });
        List<long[]> got = new ArrayList<>();
        producer.start();
        while (producer.isAlive()) {
            acknowledgements.drainTo((id, attempt, offset) -> got.add(new long[] {id, attempt, offset}));
        }
        producer.join();
        acknowledgements.drainTo((id, attempt, offset) -> got.add(new long[] {id, attempt, offset}));

        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).as("acknowledgement %d", i).containsExactly(i, i % 7, 10L * i);
        }
        assertThat(acknowledgements.isEmpty()).isTrue();
    }
}
