package io.colloquy.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.colloquy.conversation.Message;
import io.colloquy.llm.ModelAnswers;
import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.TokenCounter;

/**
 * Lays out one prompt inside the budget: instructions, then memory (intent, open questions, pinned
 * facts, running summary), then as many of the newest transcript messages as fit. Each part has a
 * ceiling, and the current customer message is always last, so the result never exceeds the budget.
 */
final class ContextAssembler {

    /** Instructions may take at most this share of the budget. */
    static final double INSTRUCTIONS_SHARE = 0.3;
    /** Intent and open questions may take at most this share. */
    static final double AIMS_SHARE = 0.05;

    private final TokenCounter tokens;
    private final MemoryProperties properties;

    ContextAssembler(TokenCounter tokens, MemoryProperties properties) {
        this.tokens = tokens;
        this.properties = properties;
    }

    record Assembled(List<PromptMessage> prompt, int tokens, int verbatimMessages) {
    }

    /** Instructions first, the tenant's policy topics last, so a long topic list is what gets cut. */
    String instructions(String model, List<String> policyTopics, int budget) {
        StringBuilder s = new StringBuilder(properties.systemPrompt()).append('\n')
                .append(ModelAnswers.FORMAT_INSTRUCTIONS);
        if (!policyTopics.isEmpty()) {
            s.append("\nThese topics always go to a human agent (set needsHuman to true): ")
                    .append(String.join(", ", policyTopics)).append('.');
        }
        return tokens.truncate(model, s.toString(), (int) (budget * INSTRUCTIONS_SHARE));
    }

    /** Tokens the fixed parts take (instructions and memory block). */
    int fixedTokens(String model, String instructions, MemoryState state, int budget) {
        return tokens.countMessage(model, instructions) + tokens.countMessage(model, memoryBlock(model, state, budget))
                + 3;
    }

    Assembled assemble(String model, String instructions, MemoryState state, List<Message> recent, int budget) {
        List<PromptMessage> head = new ArrayList<>();
        head.add(PromptMessage.system(instructions));
        String memory = memoryBlock(model, state, budget);
        if (!memory.isEmpty()) {
            head.add(PromptMessage.system(memory));
        }
        int used = tokens.countPrompt(model, head);
        // newest first until the budget is spent; the newest (the customer's current message) always goes in
        List<PromptMessage> tail = new ArrayList<>();
        for (int i = recent.size() - 1; i >= 0; i--) {
            PromptMessage m = toPrompt(recent.get(i));
            int cost = tokens.countMessage(model, m.content());
            if (used + cost > budget) {
                if (tail.isEmpty()) {
                    int room = budget - used - tokens.countMessage(model, "");
                    tail.add(new PromptMessage(m.kind(), tokens.truncate(model, m.content(), room)));
                }
                break;
            }
            tail.add(m);
            used += cost;
        }
        List<PromptMessage> prompt = new ArrayList<>(head);
        prompt.addAll(tail.reversed());
        return new Assembled(prompt, tokens.countPrompt(model, prompt), tail.size());
    }

    /**
     * Intent, open questions, pinned facts (newest first) and the summary, each within its ceiling. The
     * ceilings are applied here, when the prompt is laid out, so a state written under a larger budget
     * (the tenant lowered it since) still fits.
     */
    String memoryBlock(String model, MemoryState state, int budget) {
        StringBuilder s = new StringBuilder();
        StringBuilder aims = new StringBuilder();
        if (state.intent() != null) {
            aims.append("Customer intent: ").append(state.intent()).append('\n');
        }
        if (!state.openQuestions().isEmpty()) {
            aims.append("Open questions: ").append(String.join(" | ", state.openQuestions())).append('\n');
        }
        if (!aims.isEmpty()) {
            s.append(tokens.truncate(model, aims.toString(), (int) (budget * AIMS_SHARE)).strip()).append('\n');
        }
        if (!state.facts().isEmpty()) {
            int ceiling = (int) (budget * properties.factsShare());
            StringBuilder facts = new StringBuilder("Key facts (latest values; they replace anything earlier):\n");
            List<PinnedFact> newestFirst = state.facts().stream()
                    .sorted(Comparator.comparingInt(PinnedFact::sourceSeq).reversed()).toList();
            int used = tokens.count(model, facts.toString());
            for (PinnedFact f : newestFirst) {
                String line = "- " + f.key() + ": " + f.value()
                        + (f.previousValue() != null ? " (changed; earlier value " + f.previousValue() + " is outdated)" : "")
                        + "\n";
                int cost = tokens.count(model, line);
                if (used + cost > ceiling) {
                    break;
                }
                facts.append(line);
                used += cost;
            }
            s.append(facts);
        }
        if (!state.summary().isBlank()) {
            // the end of a running summary is its newest part: over the ceiling, the start goes
            String summary = tokens.truncateStart(model, markOutdated(state.summary(), state.facts()),
                    (int) (budget * properties.summaryShare()));
            s.append("Summary of the earlier conversation:\n").append(summary).append('\n');
        }
        return s.toString().strip();
    }

    /**
     * A summary may still mention a value the customer later changed (a summarizer that missed it, or
     * the extractive fallback). Each such mention is marked with its replacement, so the model never
     * reads a stale value as current.
     */
    static String markOutdated(String summary, List<PinnedFact> facts) {
        String marked = summary;
        for (PinnedFact f : facts) {
            if (f.previousValue() != null && !f.previousValue().isBlank() && !f.previousValue().equals(f.value())) {
                marked = marked.replace(f.previousValue(), f.previousValue() + " [outdated, now " + f.value() + "]");
            }
        }
        return marked;
    }

    static PromptMessage toPrompt(Message m) {
        return switch (m.role()) {
            case CUSTOMER -> PromptMessage.user(m.content());
            case ASSISTANT -> PromptMessage.assistant(m.content());
            case AGENT -> PromptMessage.assistant("(human agent" + (m.author() == null ? "" : " " + m.author()) + ") "
                    + m.content());
            case SYSTEM -> PromptMessage.system("Note from the support team: " + m.content());
        };
    }

    /** The transcript as the summarizer reads it. */
    static String transcriptLine(Message m) {
        return switch (m.role()) {
            case CUSTOMER -> "Customer: ";
            case ASSISTANT -> "Assistant: ";
            case AGENT -> "Agent: ";
            case SYSTEM -> "Note: ";
        } + m.content().replace('\n', ' ');
    }
}
