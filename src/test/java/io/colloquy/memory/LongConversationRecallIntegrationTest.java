package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.RecordingModel;

/**
 * A 433-turn, 16-session conversation of everyday talk through the HTTP API at a 2,000-token budget,
 * with a summarizer whose every summary is useless ("OK."): asked at the end about details mentioned
 * once along the way, the prompts the model receives hold the answers at least twice as often as a
 * sliding window of the same budget over the same transcript, and no prompt passes the budget.
 */
class LongConversationRecallIntegrationTest extends RecordingModelTestBase {

    static final int BUDGET = 2000;
    static final long SEED = 7;

    @Test
    void recallsDetailsFromLongAgoFarMoreOftenThanASlidingWindowWhenTheSummariesAreUseless() {
        RecordingModel.reset(RecordingModel.Summarizer.USELESS);
        var conversation = LongConversations.generate(SEED, 16, 26);

        var result = RecallMeasurement.run(http, fixtures, conversation, BUDGET);

        assertThat(result.largestPrompt()).as("no prompt, chat or summarization, passes the budget")
                .isLessThanOrEqualTo(BUDGET);
        assertThat(result.memory().get("summary").asString()).as("the summarizer really was useless")
                .isEqualTo("OK.");
        int questions = result.answers().size();
        long colloquy = result.colloquyHits();
        long window = result.windowHits();
        String report = "Colloquy " + colloquy + "/" + questions + " (facts " + result.from(RecallMeasurement.Source.FACTS)
                + ", recall " + result.from(RecallMeasurement.Source.RECALL) + ", verbatim "
                + result.from(RecallMeasurement.Source.VERBATIM) + "), sliding window " + window + "/" + questions
                + "; missed: " + result.answers().stream().filter(a -> a.colloquy() == RecallMeasurement.Source.MISSING)
                .map(a -> a.question().text()).toList();
        assertThat(colloquy).as(report).isGreaterThanOrEqualTo(2 * window);
        assertThat(colloquy).as(report).isGreaterThanOrEqualTo(questions * 3L / 4);

        // the memory view shows what the last prompt recalled: the customer's own words, with their time
        assertThat(result.memory().get("recalled")).as("recalled for the last question").isNotEmpty();
        result.memory().get("recalled").forEach(r -> {
            assertThat(r.get("seq").asInt()).isLessThanOrEqualTo(result.memory().get("coveredThroughSeq").asInt());
            assertThat(r.get("createdAt").asString()).isNotBlank();
            assertThat(r.get("quote").asString()).isNotBlank();
        });
    }
}
