package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.TokenCounter;

/** The summarizer's input never loses the end of a long message, and what counts as a usable summary. */
class CompactorTest {

    static final String MODEL = "gpt-4o-mini";
    static final TokenCounter TOKENS = new TokenCounter();
    final Compactor compactor = new Compactor(null, TOKENS, Clock.systemUTC());

    @Test
    void aLongMessageIsSplitIntoPiecesNotCut() {
        StringBuilder text = new StringBuilder("Customer: ");
        for (int i = 0; i < 120; i++) {
            text.append("This is sentence number ").append(i).append(" of a very long story about my order. ");
        }
        text.append("I want to cancel.");
        List<String> pieces = compactor.pieces(MODEL, text.toString(), 200);
        assertThat(pieces).hasSizeGreaterThan(5);
        pieces.forEach(p -> assertThat(TOKENS.count(MODEL, p)).isLessThanOrEqualTo(200));
        assertThat(pieces.getFirst()).startsWith("Customer: This is sentence number 0 ");
        assertThat(pieces.get(1)).startsWith("Customer (continued): ");
        assertThat(pieces.getLast()).endsWith("I want to cancel.");
        String joined = String.join(" ", pieces).replace("Customer (continued): ", "");
        for (int i = 0; i < 120; i++) {
            assertThat(joined).contains("sentence number " + i + " ");
        }
    }

    @Test
    void aSentenceLongerThanAPieceIsSplitInsideIt() {
        String line = "Customer: " + "word ".repeat(1000) + "the end";
        List<String> pieces = compactor.pieces(MODEL, line, 100);
        pieces.forEach(p -> assertThat(TOKENS.count(MODEL, p)).isLessThanOrEqualTo(100));
        assertThat(pieces.getLast()).endsWith("the end");
        assertThat(String.join(" ", pieces).split("word", -1)).hasSize(1001);
    }

    @Test
    void aRefusalAnEmptyOrAJsonAnswerIsNotASummary() {
        assertThat(Compactor.isSummary("The customer wants a refund for order A-1234.")).isTrue();
        assertThat(Compactor.isSummary("OK.")).as("terse is not the same as unusable").isTrue();
        assertThat(Compactor.isSummary("  ")).isFalse();
        assertThat(Compactor.isSummary("I'm sorry, but I can't help with that.")).isFalse();
        assertThat(Compactor.isSummary("As an AI language model, I cannot summarize this.")).isFalse();
        assertThat(Compactor.isSummary("{\"reply\":\"Hello\",\"confidence\":0.9}")).isFalse();
    }
}
