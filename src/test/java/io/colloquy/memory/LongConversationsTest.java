package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The generator of the recall test: deterministic, long enough, and its questions answerable only from the past. */
class LongConversationsTest {

    @Test
    void isDeterministicBySeedAndLongEnough() {
        var a = LongConversations.generate(7, 16, 26);
        var b = LongConversations.generate(7, 16, 26);
        var c = LongConversations.generate(8, 16, 26);
        assertThat(a).isEqualTo(b);
        assertThat(c.turns()).isNotEqualTo(a.turns());
        assertThat(a.sessions()).isGreaterThanOrEqualTo(15);
        assertThat(a.turns()).hasSizeGreaterThanOrEqualTo(400);
        assertThat(a.questions()).hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void everyAnswerWasSaidBeforeTheQuestionsAndIsNotInThem() {
        for (long seed = 1; seed <= 20; seed++) {
            var conversation = LongConversations.generate(seed, 16, 26);
            for (var q : conversation.questions()) {
                assertThat(q.text()).doesNotContainIgnoringCase(q.answer());
                assertThat(conversation.turns().get(q.plantedAtTurn() - 1)).as("seed %d", seed).contains(q.answer());
                assertThat(q.plantedAtTurn()).isLessThanOrEqualTo(conversation.firstQuestionTurn());
            }
            assertThat(conversation.turns()).noneMatch(t -> t.toLowerCase().matches(
                    ".*\\b(human|a person|an agent|representative|manager|talk to someone|speak to someone|lawyer|"
                            + "legal|fraud|not sure|complicated|confusing|unclear)\\b.*"));
        }
    }
}
