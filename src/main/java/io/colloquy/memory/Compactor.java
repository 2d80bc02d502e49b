package io.colloquy.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.llm.CallContext;
import io.colloquy.llm.LlmClient;
import io.colloquy.llm.LlmRequest;
import io.colloquy.llm.LlmResult;
import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.TokenCounter;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.RecordedCall;

/**
 * Folds older turns into the running summary. The summary is recursive (the previous one is an input),
 * is cut only at turn boundaries, and has a ceiling. The summarizer gets plain text in and gives plain
 * text back (no JSON: a summary is prose, and a small model writes prose more reliably), at most the
 * ceiling in tokens. When it fails, is unavailable, or answers with something that is not a summary (a
 * refusal, an empty or a JSON answer), the {@link ExtractiveSummary} takes its place, so memory never
 * blocks a turn and never exceeds the budget.
 */
final class Compactor {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    static final String INSTRUCTIONS = """
            You maintain the running summary of a conversation between a company's assistant and a customer. \
            Rewrite the previous summary with the new messages folded in. Keep exactly as written: names of people \
            and pets, order, ticket and invoice numbers, emails, phone numbers, amounts, dates, addresses. Keep \
            what the customer wants, what they said about themselves (family, work, plans, preferences), decisions \
            made, promises given and questions still open. A date belongs to its event: keep each event with its \
            own date. When a value changed (an address, a plan), keep only the latest and say that it changed. \
            Condense older parts instead of dropping them. Drop greetings and small talk. Write plain sentences, \
            at most %d words.""";
    static final String PREVIOUS = "Previous summary:\n";
    static final String TO_FOLD = "\n\nConversation to fold in:\n";
    /** Answers that are not a summary: a refusal or apology instead of one. */
    private static final Pattern REFUSAL = Pattern.compile(
            "^(i'?m sorry|i am sorry|sorry,|i cannot|i can't|i can not|i am unable|i'm unable|as an ai)\\b");

    private final LlmClient llm;
    private final TokenCounter tokens;
    private final Clock clock;
    private final ExtractiveSummary extractive;

    Compactor(LlmClient llm, TokenCounter tokens, Clock clock) {
        this.llm = llm;
        this.tokens = tokens;
        this.clock = clock;
        this.extractive = new ExtractiveSummary(tokens);
    }

    record Result(String summary, int summaryTokens, int coveredThroughSeq, boolean extractive,
                  List<RecordedCall> calls) {
    }

    /**
     * Folds {@code fold} (oldest first, ending at a turn boundary) into {@code previousSummary}, in as
     * many summarizer calls as needed to keep each call's prompt inside the budget. A message longer
     * than one call's room is split over several, never cut: its end is as important as its start.
     */
    Result fold(TenantId tenantId, ConversationId conversationId, String model, String previousSummary,
                List<Message> fold, int budget, int summaryCeiling, Instant deadline) {
        String instructions = INSTRUCTIONS.formatted(Math.max(30, summaryCeiling * 3 / 4));
        int chunkCeiling = budget - tokens.countMessage(model, instructions) - summaryCeiling
                - tokens.countMessage(model, PREVIOUS + TO_FOLD) - 16;
        List<RecordedCall> calls = new ArrayList<>();
        // a summary written under a larger budget (or another model's encoding) is cut to today's ceiling
        String summary = tokens.truncateStart(model, previousSummary, summaryCeiling);
        boolean usedFallback = false;
        List<Message> chunk = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        int chunkTokens = 0;
        for (Message message : fold) {
            for (String line : pieces(model, ContextAssembler.transcriptLine(message), chunkCeiling)) {
                int cost = tokens.count(model, line + "\n");
                if (!lines.isEmpty() && chunkTokens + cost > chunkCeiling) {
                    Step step = summarize(tenantId, conversationId, model, instructions, summary, chunk, lines,
                            summaryCeiling, deadline, calls);
                    summary = step.summary();
                    usedFallback |= step.extractive();
                    chunk = new ArrayList<>();
                    lines = new ArrayList<>();
                    chunkTokens = 0;
                }
                if (chunk.isEmpty() || chunk.getLast() != message) {
                    chunk.add(message);
                }
                lines.add(line);
                chunkTokens += cost;
            }
        }
        if (!lines.isEmpty()) {
            Step step = summarize(tenantId, conversationId, model, instructions, summary, chunk, lines, summaryCeiling,
                    deadline, calls);
            summary = step.summary();
            usedFallback |= step.extractive();
        }
        return new Result(summary, tokens.count(model, summary), fold.getLast().seq(), usedFallback, calls);
    }

    private record Step(String summary, boolean extractive) {
    }

    private Step summarize(TenantId tenantId, ConversationId conversationId, String model, String instructions,
                           String previous, List<Message> chunk, List<String> lines, int ceiling, Instant deadline,
                           List<RecordedCall> calls) {
        String input = PREVIOUS + (previous.isBlank() ? "(none)" : previous) + TO_FOLD + String.join("\n", lines);
        // an open summarization circuit answers at once, so no check is made here first
        if (Duration.between(clock.instant(), deadline).toMillis() > 500) {
            LlmResult result = llm.complete(new LlmRequest(
                    new CallContext(tenantId, conversationId, CallPurpose.SUMMARIZATION),
                    List.of(PromptMessage.system(instructions), PromptMessage.user(input)), ceiling, false, deadline));
            calls.addAll(result.calls());
            if (result instanceof LlmResult.Answered answered) {
                String text = answered.text().strip();
                if (isSummary(text)) {
                    return new Step(tokens.truncate(model, text, ceiling), false);
                }
                log.info("Summarizer answered something that is not a summary for conversation {}; "
                        + "compacting extractively", conversationId);
            } else {
                log.info("Summarizer unavailable for conversation {}; compacting extractively", conversationId);
            }
        }
        return new Step(extractive.fold(model, previous, chunk, ceiling), true);
    }

    /**
     * Whether the summarizer's answer can stand as the summary: not empty, not a refusal, not a JSON
     * object or list (a model that answered in the chat format). A short answer is taken as it is: a
     * terse summary cannot be told from a poor one here, which is why recall and pinned facts do not
     * rest on the summary.
     */
    static boolean isSummary(String text) {
        if (text == null || text.isBlank()) {
            return false;
        }
        String t = text.strip();
        return !REFUSAL.matcher(t.toLowerCase(Locale.ROOT)).find() && !t.startsWith("{") && !t.startsWith("[");
    }

    /**
     * A transcript line as pieces that each fit in {@code max} tokens, split between sentences where it
     * can and inside a sentence only when one alone is too long. Every piece after the first is marked
     * as the same speaker continuing.
     */
    List<String> pieces(String model, String line, int max) {
        if (tokens.count(model, line) <= max) {
            return List.of(line);
        }
        int colon = line.indexOf(": ");
        String speaker = colon > 0 && colon < 12 ? line.substring(0, colon) : "";
        String more = speaker.isEmpty() ? "(continued) " : speaker + " (continued): ";
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String sentence : line.split("(?<=[.!?])\\s+")) {
            String rest = sentence;
            while (!rest.isEmpty()) {
                String prefix = current.isEmpty() ? (out.isEmpty() ? "" : more) : current + " ";
                String candidate = prefix + rest;
                if (tokens.count(model, candidate) <= max) {
                    current.setLength(0);
                    current.append(candidate);
                    rest = "";
                } else if (!current.isEmpty()) {
                    out.add(current.toString());
                    current.setLength(0);
                } else {
                    // one sentence longer than a whole piece: as much of it as fits, the rest in the next
                    String head = tokens.truncate(model, candidate, max);
                    String taken = head.length() > prefix.length() ? head.substring(prefix.length()) : "";
                    if (taken.isBlank()) {
                        taken = rest.substring(0, Math.min(rest.length(), 1));
                    }
                    out.add(prefix + taken);
                    rest = rest.substring(taken.length()).strip();
                }
            }
        }
        if (!current.isEmpty()) {
            out.add(current.toString());
        }
        return out;
    }

    /** True when {@code m} starts a turn: compaction cuts only just before a customer message. */
    static boolean startsTurn(Message m) {
        return m.role() == MessageRole.CUSTOMER;
    }
}
