package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.llm.TokenCounter;

/** The fallback summary condenses older parts instead of dropping them, and keeps what is salient. */
class ExtractiveSummaryTest {

    static final String MODEL = "gpt-4o-mini";
    final TokenCounter tokens = new TokenCounter();
    final ExtractiveSummary summary = new ExtractiveSummary(tokens);

    @Test
    void ranksSentencesBySalienceNotByPunctuation() {
        assertThat(ExtractiveSummary.salience("How are you today?")).isLessThan(1);
        assertThat(ExtractiveSummary.salience("Do you also sell gift wrapping for presents?")).isLessThan(1);
        assertThat(ExtractiveSummary.salience("Thanks!")).isLessThan(1);
        assertThat(ExtractiveSummary.salience("My sister Clara is getting married on June 21 in Lisbon."))
                .isGreaterThan(ExtractiveSummary.salience("The weather here has been lovely this week, by the way."));
        assertThat(ExtractiveSummary.salience("We decided to book the cabin for the long weekend.")).isGreaterThanOrEqualTo(2);
        assertThat(ExtractiveSummary.salience("I'm allergic to cashews.")).isGreaterThanOrEqualTo(1);
        assertThat(ExtractiveSummary.salience("When is the store open on Sunday?"))
                .as("a question counts for what it names").isGreaterThanOrEqualTo(1);
    }

    @Test
    void keepsTheCustomersSalientSentencesAndLeavesOutSmallTalkAndReplies() {
        String text = summary.fold(MODEL, "", List.of(
                message(1, MessageRole.CUSTOMER, "Hi there! How are you? My dentist appointment is on March 12."),
                message(2, MessageRole.ASSISTANT, "I am well. Your appointment is noted for March 12."),
                message(3, MessageRole.CUSTOMER, "Lol. Do you like music? I prefer emails to phone calls."),
                message(4, MessageRole.SYSTEM, "Customer was refunded $20 for order A-77123.")), 400);
        assertThat(text).startsWith("[#1-#4, 2026-03-01] Customer said: ")
                .contains("My dentist appointment is on March 12.", "I prefer emails to phone calls.",
                        "Note: Customer was refunded $20 for order A-77123.")
                .doesNotContain("How are you", "Do you like music", "Lol", "I am well");
    }

    @Test
    void condensesOlderPartsFurtherButNeverDropsOneWhole() {
        String text = "";
        int seq = 1;
        for (int round = 0; round < 30; round++) {
            List<Message> fold = new ArrayList<>();
            for (int i = 0; i < 6; i++, seq++) {
                fold.add(message(seq, MessageRole.CUSTOMER, "In round " + round + " I told you fact number " + seq
                        + " about my cousin Tobias. We will travel to Oslo on May " + (1 + seq % 28) + "."));
            }
            text = summary.fold(MODEL, text, fold, 300);
            assertThat(tokens.count(MODEL, text)).isLessThanOrEqualTo(300);
        }
        List<ExtractiveSummary.Section> sections = ExtractiveSummary.parse(text);
        assertThat(sections).as("the summary keeps several sections").hasSizeGreaterThan(2);
        assertThat(sections.getFirst().label()).as("the oldest part still stands, merged and condensed")
                .startsWith("#1-#");
        assertThat(sections.getLast().sentences().size())
                .as("the newest part is kept in more detail than the oldest")
                .isGreaterThan(sections.getFirst().sentences().size());
        assertThat(text).as("the newest part is there").contains("#175-#180");
    }

    @Test
    void keepsAModelWrittenSummaryAsItsOldestPart() {
        String previous = "The customer, Dana, wants a refund for order A-55123. She moved to 48 Elm Street.";
        String text = summary.fold(MODEL, previous, List.of(message(9, MessageRole.CUSTOMER,
                "My new phone number is 555 0199 8877.")), 400);
        assertThat(text).startsWith("[earlier] Customer said: The customer, Dana, wants a refund for order A-55123.")
                .contains("[#9-#9, 2026-03-01] Customer said: My new phone number is 555 0199 8877.");
        // folding again keeps both parts
        assertThat(ExtractiveSummary.parse(text)).hasSize(2);
    }

    @Test
    void aSummaryTooSmallForOneSentenceKeepsTheStartOfIt() {
        String text = summary.fold(MODEL, "", List.of(message(1, MessageRole.CUSTOMER,
                "My order A-12345 should be delivered to 12 Harbor Lane, Springfield, on 2026-10-28, "
                        + "and I need it by then because it is a birthday present for my sister Maya.")), 28);
        assertThat(tokens.count(MODEL, text)).isLessThanOrEqualTo(28);
        assertThat(text).contains("My order A-12345");
    }

    private static Message message(int seq, MessageRole role, String content) {
        return new Message(seq, role, content, Instant.parse("2026-03-01T10:00:00Z").plusSeconds(seq * 60L), null,
                null, null);
    }
}
