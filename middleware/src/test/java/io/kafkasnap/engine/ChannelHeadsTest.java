package io.kafkasnap.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChannelHeadsTest {

    private static boolean judge(long epoch, long... pairs) {
        ChannelHeads.Judge judge = new ChannelHeads.Judge(epoch);
        for (int i = 0; i < pairs.length; i += 2) {
            if (judge.offer(pairs[i], pairs[i + 1])) {
                break;
            }
        }
        return judge.holdsStart();
    }

    @Test
    void theStartIsThereWhenSeqZeroOfTheEpochIsKept() {
        assertThat(judge(0, 0, 0, 0, 1)).isTrue();
        assertThat(judge(7, 0, 41, 0, 42, 7, 0, 7, 1)).as("old epoch's tail, then the fence").isTrue();
    }

    @Test
    void theStartIsThereWhenTheSenderHasNotEnteredTheEpochYet() {
        assertThat(judge(7)).as("an empty rest of the channel").isTrue();
        assertThat(judge(7, 0, 41, 0, 42)).isTrue();
    }

    @Test
    void theStartIsThereWhenSeqZeroFailedAndWasSentAgainAfterAHigherOne() {
        assertThat(judge(0, 0, 1, 0, 0, 0, 1)).isTrue();
    }

    @Test
    void aLaterEpochMovesTheNodeOnSoTheLostStartOfThisOneDoesNotMatter() {
        assertThat(judge(3, 3, 5, 3, 6, 9, 0)).isTrue();
    }

    @Test
    void theStartIsGoneWhenTheFirstKeptRecordOfTheEpochHasAHigherSeqAndSeqZeroNeverFollows() {
        assertThat(judge(0, 0, 4, 0, 5)).isFalse();
        assertThat(judge(7, 7, 3, 7, 4)).as("the fence of epoch 7 removed").isFalse();
        assertThat(judge(7, 0, 41, 7, 3)).isFalse();
    }
}
