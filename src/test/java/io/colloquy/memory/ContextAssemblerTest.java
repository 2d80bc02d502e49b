package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.TokenCounter;

/** The prompt never passes the budget, whatever the sizes of its parts, and the current message is last. */
class ContextAssemblerTest {

    static final String MODEL = "gpt-4o-mini";
    final TokenCounter tokens = new TokenCounter();
    final MemoryProperties properties = new MemoryProperties(0.8, 0.4, 0.2, 0.15, "Be helpful.", 0.1, 8, 0.5);
    final ContextAssembler assembler = new ContextAssembler(tokens, properties);

    @RepeatedTest(40)
    void randomConversationsNeverExceedTheBudget(RepetitionInfo repetition) {
        // a seed per repetition: the same 40 conversations on every run, and a failure names the one to replay
        long seed = 0x5EED_0000L + repetition.getCurrentRepetition();
        Random random = new Random(seed);
        int budget = 1000 + random.nextInt(6000);
        List<PinnedFact> facts = new ArrayList<>();
        for (int i = 0; i < random.nextInt(60); i++) {
            facts.add(new PinnedFact("fact_" + i, words(random, 1 + random.nextInt(30)), i, i % 5 == 0 ? "old " + i : null,
                    "MODEL", Instant.EPOCH));
        }
        MemoryState state = new MemoryState(words(random, random.nextInt(2000)), 0, 0, "refund request",
                List.of("When will it arrive?"), facts, 0, 0, 0, 0, Instant.EPOCH);
        List<Message> recent = new ArrayList<>();
        int count = 1 + random.nextInt(80);
        for (int i = 1; i <= count; i++) {
            MessageRole role = i == count || i % 2 == 1 ? MessageRole.CUSTOMER : MessageRole.ASSISTANT;
            recent.add(new Message(i, role, words(random, 1 + random.nextInt(i == count ? 3000 : 200)), Instant.EPOCH,
                    null, null, null));
        }
        List<String> topics = random.nextBoolean() ? List.of() : List.of(words(random, 400).split(" "));

        String instructions = assembler.instructions(MODEL, topics, budget);
        ContextAssembler.Assembled prompt = assembler.assemble(MODEL, instructions, state, recent, budget);

        assertThat(tokens.countPrompt(MODEL, prompt.prompt())).as("seed %d", seed).isLessThanOrEqualTo(budget);
        assertThat(prompt.tokens()).as("seed %d", seed).isLessThanOrEqualTo(budget);
        PromptMessage last = prompt.prompt().getLast();
        assertThat(last.kind()).isEqualTo(PromptMessage.Kind.USER);
        assertThat(recent.getLast().content()).startsWith(last.content().substring(0, Math.min(20, last.content().length())));
    }

    @Test
    void theNewestFactsComeFirstWhenTheyDoNotAllFit() {
        List<PinnedFact> facts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            facts.add(new PinnedFact("fact_" + i, "value number " + i, i, null, "EXTRACTED", Instant.EPOCH));
        }
        MemoryState state = new MemoryState("", 0, 0, null, List.of(), facts, 0, 0, 0, 0, Instant.EPOCH);
        String block = assembler.memoryBlock(MODEL, state, 1000);
        assertThat(block).contains("fact_199").doesNotContain("fact_0:");
        assertThat(tokens.count(MODEL, block)).isLessThanOrEqualTo(150 + 20);
    }

    @Test
    void aReplacedValueIsMarkedOutdatedWhereverTheSummaryStillMentionsIt() {
        var facts = List.of(new PinnedFact("delivery_address", "48 Elm Street", 9, "12 Harbor Lane", "MODEL", Instant.EPOCH));
        assertThat(ContextAssembler.markOutdated("Ship to 12 Harbor Lane please.", facts))
                .isEqualTo("Ship to 12 Harbor Lane [outdated, now 48 Elm Street] please.");
    }

    @Test
    void aLongCurrentMessageGoesWholeAndTheOtherPartsGiveWay() {
        int budget = 2000;
        String instructions = assembler.instructions(MODEL, List.of(), budget);
        List<PinnedFact> facts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            facts.add(new PinnedFact("fact_" + i, "value number " + i, i, null, "EXTRACTED", Instant.EPOCH));
        }
        MemoryState state = new MemoryState("Earlier the customer said many things. ".repeat(60), 0, 10, "refund request",
                List.of(), facts, 0, 0, 0, 0, Instant.EPOCH);
        List<MemoryView.Recalled> recalled = List.of(new MemoryView.Recalled(3, "CUSTOMER",
                Instant.parse("2026-03-01T10:00:00Z"), "My dentist appointment is on March 12."));
        // as long as a message can be with these instructions: the memory block gets only what is left
        int room = budget - tokens.countPrompt(MODEL, List.of(PromptMessage.system(instructions)));
        String body = "I have a long story about my order. ".repeat(300);
        String message = tokens.truncate(MODEL, body, room - 50) + " I want to cancel.";
        List<Message> recent = List.of(
                new Message(11, MessageRole.CUSTOMER, "Earlier question about delivery times", Instant.EPOCH, null, null, null),
                new Message(12, MessageRole.ASSISTANT, "Earlier answer about delivery times", Instant.EPOCH, null, null, null),
                new Message(13, MessageRole.CUSTOMER, message, Instant.EPOCH, null, null, null));

        ContextAssembler.Assembled prompt = assembler.assemble(MODEL, instructions, state, recalled, recent, budget);

        assertThat(tokens.countPrompt(MODEL, prompt.prompt())).isLessThanOrEqualTo(budget);
        assertThat(prompt.prompt().getLast().content()).as("the whole message, its end included").isEqualTo(message)
                .endsWith("I want to cancel.");
        String memory = prompt.prompt().get(1).content();
        assertThat(memory).as("facts are kept longest").contains("fact_29").doesNotContain("Summary of the earlier")
                .doesNotContain("Recalled");
        assertThat(prompt.verbatimMessages()).isEqualTo(1);
        assertThat(assembler.longestMessage(MODEL, instructions, budget)).as("what the admission check allows")
                .isEqualTo(budget / 2);
    }

    @Test
    void recalledQuotesAreShownWithTheirTimeAndValuesChangedSinceAreMarked() {
        var facts = List.of(new PinnedFact("delivery_address", "48 Elm Street", 9, "12 Harbor Lane", "MODEL", Instant.EPOCH));
        MemoryState state = new MemoryState("", 0, 10, null, List.of(), facts, 0, 0, 0, 0, Instant.EPOCH);
        List<MemoryView.Recalled> recalled = List.of(
                new MemoryView.Recalled(3, "CUSTOMER", Instant.parse("2026-03-01T10:00:00Z"), "Send it to 12 Harbor Lane."),
                new MemoryView.Recalled(5, "AGENT", Instant.parse("2026-03-02T11:30:00Z"), "I booked the courier."));
        List<Message> recent = List.of(new Message(12, MessageRole.CUSTOMER, "Where did I ask you to send it?",
                Instant.EPOCH, null, null, null));

        ContextAssembler.Assembled prompt = assembler.assemble(MODEL, "Be helpful.", state, recalled, recent, 2000);

        String memory = prompt.prompt().get(1).content();
        assertThat(memory).contains(RecallQuotes.HEADER.strip())
                .contains("[2026-03-01 10:00] Customer: \"Send it to 12 Harbor Lane [outdated, now 48 Elm Street].\"")
                .contains("[2026-03-02 11:30] Agent: \"I booked the courier.\"");
        assertThat(prompt.recalled()).hasSize(2);
    }

    @Test
    void theFactsAboutTheQuestionComeFirstWhenNotAllFit() {
        List<PinnedFact> facts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            facts.add(new PinnedFact("fact_" + i, "value number " + i, 100 + i, null, "EXTRACTED", Instant.EPOCH));
        }
        facts.add(new PinnedFact("dentist appointment (date)", "March 12", 1, null, "EXTRACTED", Instant.EPOCH));
        MemoryState state = new MemoryState("", 0, 0, null, List.of(), facts, 0, 0, 0, 0, Instant.EPOCH);
        List<Message> recent = List.of(new Message(300, MessageRole.CUSTOMER, "When is my dentist appointment again?",
                Instant.EPOCH, null, null, null));
        String memory = assembler.assemble(MODEL, "Be helpful.", state, recent, 1000).prompt().get(1).content();
        assertThat(memory).contains("dentist appointment (date): March 12").contains("fact_99").doesNotContain("fact_0:");
    }

    @Test
    void aDateOfAnotherEventIsNotRewrittenAsOutdated() {
        var facts = List.of(new PinnedFact("dentist appointment (date)", "March 19", 9, "March 12", "EXTRACTED",
                Instant.EPOCH));
        assertThat(ContextAssembler.markOutdated("Her sister's party is on March 12.", facts))
                .isEqualTo("Her sister's party is on March 12.");
    }

    private static String words(Random random, int n) {
        String[] vocabulary = {"order", "refund", "parcel", "A-1234", "please", "thanks", "delivery", "€45.99",
            "yesterday", "Straße", "きのう", "customer", "support", "address", "12", "Harbor", "Lane"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
        }
        return s.toString().strip();
    }
}
