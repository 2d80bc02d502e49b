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
 * facts, running summary, quotes recalled from the archive), then as many of the newest transcript
 * messages as fit. Each part has a ceiling, and the current customer message is always last and whole:
 * when it is long, the other parts give way first (older messages, then recalled quotes, then the
 * summary, then the facts), so the result never exceeds the budget and the end of a message reaches
 * the model as surely as its start.
 */
final class ContextAssembler {

    /** Instructions may take at most this share of the budget. */
    static final double INSTRUCTIONS_SHARE = 0.3;
    /** Intent and open questions may take at most this share. */
    static final double AIMS_SHARE = 0.05;
    static final String FACTS_HEADER = "Key facts (latest values; they replace anything earlier):\n";
    static final String SUMMARY_HEADER = "Summary of the earlier conversation:\n";

    private final TokenCounter tokens;
    private final MemoryProperties properties;

    ContextAssembler(TokenCounter tokens, MemoryProperties properties) {
        this.tokens = tokens;
        this.properties = properties;
    }

    /**
     * @param recalled the recalled quotes that went in (fewer than offered when a long message left no room)
     */
    record Assembled(List<PromptMessage> prompt, int tokens, int verbatimMessages, List<MemoryView.Recalled> recalled) {
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

    /** Tokens the fixed parts take (instructions and memory block, without recall). */
    int fixedTokens(String model, String instructions, MemoryState state, int budget) {
        return tokens.countMessage(model, instructions) + tokens.countMessage(model, memoryBlock(model, state, budget))
                + 3;
    }

    /** The longest customer message (in tokens, formatting included) a prompt of this budget takes whole. */
    int longestMessage(String model, String instructions, int budget) {
        int room = budget - tokens.countPrompt(model, List.of(PromptMessage.system(instructions)));
        return Math.min(room, (int) (budget * properties.maxMessageShare()));
    }

    Assembled assemble(String model, String instructions, MemoryState state, List<Message> recent, int budget) {
        return assemble(model, instructions, state, List.of(), recent, budget);
    }

    Assembled assemble(String model, String instructions, MemoryState state, List<MemoryView.Recalled> recalled,
                       List<Message> recent, int budget) {
        PromptMessage system = PromptMessage.system(instructions);
        PromptMessage current = toPrompt(recent.getLast());
        int used = tokens.countPrompt(model, List.of(system));
        int currentCost = tokens.countMessage(model, current.content());
        if (used + currentCost > budget) {
            // only a message admitted under a larger budget (lowered since) gets here: its middle gives way,
            // marked, so both its start and its end reach the model
            int room = budget - used - tokens.countMessage(model, "");
            current = new PromptMessage(current.kind(), startAndEnd(model, current.content(), room));
            List<PromptMessage> prompt = List.of(system, current);
            return new Assembled(prompt, tokens.countPrompt(model, prompt), 1, List.of());
        }
        used += currentCost;

        List<PromptMessage> prompt = new ArrayList<>();
        prompt.add(system);
        String lastText = recent.getLast().content();
        Memory memory = memory(model, state, recalled, lastText, budget, budget - used - tokens.countMessage(model, ""));
        if (!memory.text().isEmpty()) {
            prompt.add(PromptMessage.system(memory.text()));
            used += tokens.countMessage(model, memory.text());
        }
        // newest first until the budget is spent; the current message is already counted
        List<PromptMessage> tail = new ArrayList<>();
        tail.add(current);
        for (int i = recent.size() - 2; i >= 0; i--) {
            PromptMessage m = toPrompt(recent.get(i));
            int cost = tokens.countMessage(model, m.content());
            if (used + cost > budget) {
                break;
            }
            tail.add(m);
            used += cost;
        }
        prompt.addAll(tail.reversed());
        int total = tokens.countPrompt(model, prompt);
        // parts were counted one by one; joined, a few tokens can merge differently: the budget stays a hard bound
        while (total > budget && tail.size() > 1) {
            prompt.remove(prompt.size() - tail.size());
            tail.removeLast();
            total = tokens.countPrompt(model, prompt);
        }
        if (total > budget && prompt.size() > 2) {
            String shorter = tokens.truncate(model, prompt.get(1).content(),
                    tokens.count(model, prompt.get(1).content()) - (total - budget));
            prompt.set(1, PromptMessage.system(shorter));
            total = tokens.countPrompt(model, prompt);
        }
        return new Assembled(prompt, total, tail.size(), memory.recalled());
    }

    private record Memory(String text, List<MemoryView.Recalled> recalled) {
    }

    /**
     * Intent, open questions, pinned facts (the most useful first), the summary and the recalled quotes,
     * each within its ceiling. The ceilings are applied here, when the prompt is laid out, so a state
     * written under a larger budget (the tenant lowered it since) still fits.
     */
    String memoryBlock(String model, MemoryState state, int budget) {
        return memory(model, state, List.of(), null, budget, Integer.MAX_VALUE).text();
    }

    /**
     * The memory block in at most {@code room} tokens: each part gets its ceiling or what is left, in the
     * order aims, facts, summary, recall, so under pressure recall gives way first and facts last.
     */
    private Memory memory(String model, MemoryState state, List<MemoryView.Recalled> recalled, String message,
                          int budget, int room) {
        List<String> parts = new ArrayList<>();
        int left = room;
        StringBuilder aims = new StringBuilder();
        if (state.intent() != null) {
            aims.append("Customer intent: ").append(state.intent()).append('\n');
        }
        if (!state.openQuestions().isEmpty()) {
            aims.append("Open questions: ").append(String.join(" | ", state.openQuestions())).append('\n');
        }
        if (!aims.isEmpty() && left > 0) {
            String text = tokens.truncate(model, aims.toString(), Math.min(left, (int) (budget * AIMS_SHARE))).strip();
            left = add(model, parts, text, left);
        }
        if (!state.facts().isEmpty() && left > 0) {
            left = add(model, parts, facts(model, state, message, Math.min(left, (int) (budget * properties.factsShare()))),
                    left);
        }
        if (!state.summary().isBlank() && left > 0) {
            // the end of a running summary is its newest part: over the ceiling, the start goes
            int ceiling = Math.min(left, (int) (budget * properties.summaryShare())) - tokens.count(model, SUMMARY_HEADER) - 1;
            String summary = tokens.truncateStart(model, markOutdated(state.summary(), state.facts()), ceiling);
            if (!summary.isBlank()) {
                left = add(model, parts, SUMMARY_HEADER + summary, left);
            }
        }
        List<MemoryView.Recalled> quotes = new ArrayList<>(recalled);
        while (!quotes.isEmpty()
                && tokens.count(model, markOutdated(RecallQuotes.block(quotes), state.facts())) + 1 > left) {
            // under pressure the longest quote goes first
            quotes.remove(quotes.stream().max(Comparator.comparingInt(q -> q.quote().length())).orElseThrow());
        }
        if (!quotes.isEmpty()) {
            // a quote is verbatim, but a value the customer changed since is marked as such there too
            add(model, parts, markOutdated(RecallQuotes.block(quotes), state.facts()), left);
        }
        String text = String.join("\n", parts).strip();
        return new Memory(text, List.copyOf(quotes));
    }

    /** Adds a part when it fits in {@code left} (a newline joins it to the others); returns what is left. */
    private int add(String model, List<String> parts, String part, int left) {
        if (part.isBlank()) {
            return left;
        }
        int cost = tokens.count(model, part) + (parts.isEmpty() ? 0 : 1);
        if (cost > left) {
            return left;
        }
        parts.add(part.strip());
        return left - cost;
    }

    private String facts(String model, MemoryState state, String message, int ceiling) {
        StringBuilder facts = new StringBuilder(FACTS_HEADER);
        int used = tokens.count(model, FACTS_HEADER);
        int added = 0;
        for (PinnedFact f : FactRanking.ranked(state.facts(), message)) {
            String line = "- " + f.key() + ": " + f.value()
                    + (f.previousValue() != null ? " (changed; earlier value " + f.previousValue() + " is outdated)" : "")
                    + "\n";
            int cost = tokens.count(model, line);
            if (used + cost > ceiling) {
                continue;
            }
            facts.append(line);
            used += cost;
            added++;
        }
        return added == 0 ? "" : facts.toString().strip();
    }

    /**
     * A summary may still mention a value the customer later changed (a summarizer that missed it, or
     * the extractive fallback). Each such mention is marked with its replacement, so the model never
     * reads a stale value as current. Dates and amounts are left alone: a short value like "June 3"
     * can belong to another event, and the facts say which date is current.
     */
    static String markOutdated(String summary, List<PinnedFact> facts) {
        String marked = summary;
        for (PinnedFact f : facts) {
            String old = f.previousValue();
            if (old != null && old.strip().length() >= 5 && !old.equals(f.value()) && !f.key().endsWith("date)")
                    && !f.key().endsWith("_date") && !f.key().endsWith("amount)") && !f.key().endsWith("_amount")) {
                marked = marked.replace(old, old + " [outdated, now " + f.value() + "]");
            }
        }
        return marked;
    }

    /** The start and the end of a text in {@code max} tokens, the middle replaced by a marker saying so. */
    String startAndEnd(String model, String text, int max) {
        String marker = " [… the middle of this message was left out to fit …] ";
        int half = (max - tokens.count(model, marker)) / 2;
        if (half <= 0) {
            return tokens.truncate(model, text, max);
        }
        String start = tokens.truncate(model, text, half);
        String end = tokens.truncateStart(model, text.substring(start.length()), half);
        String joined = start + marker + end;
        return tokens.count(model, joined) <= max ? joined : tokens.truncate(model, joined, max);
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
