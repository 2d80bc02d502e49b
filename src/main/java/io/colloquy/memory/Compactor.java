package io.colloquy.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * is cut only at turn boundaries, and has a ceiling. When the summarizer fails or answers nothing, an
 * extractive summary (sentences that carry facts, requests or questions) takes its place, so memory
 * never blocks a turn and never exceeds the budget.
 */
final class Compactor {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    private static final String INSTRUCTIONS = """
            You maintain the running summary of a customer-support conversation. Rewrite the previous summary \
            with the new messages folded in. Keep exactly as written: order, ticket and invoice numbers, emails, \
            phone numbers, amounts, dates, addresses and names. Keep what the customer wants, decisions made, \
            promises given and questions still open. When a fact changed, keep only the latest value and say \
            that it changed. Drop greetings and small talk. Write plain sentences, at most %d words.""";
    private static final Pattern KEY_SENTENCE = Pattern.compile(
            ".*(\\d|@|\\?|\\b(want|need|would like|please|refund|cancel|return|replace|change|address|name|prefer|"
                    + "order|ticket|invoice|deliver|charge|account|problem|issue|wrong|broken|urgent|decid|agree)).*",
            Pattern.CASE_INSENSITIVE);

    private final LlmClient llm;
    private final TokenCounter tokens;
    private final Clock clock;

    Compactor(LlmClient llm, TokenCounter tokens, Clock clock) {
        this.llm = llm;
        this.tokens = tokens;
        this.clock = clock;
    }

    record Result(String summary, int summaryTokens, int coveredThroughSeq, boolean extractive,
                  List<RecordedCall> calls) {
    }

    /**
     * Folds {@code fold} (oldest first, ending at a turn boundary) into {@code previousSummary}, in as
     * many summarizer calls as needed to keep each call's prompt inside the budget.
     */
    Result fold(TenantId tenantId, ConversationId conversationId, String model, String previousSummary,
                List<Message> fold, int budget, int summaryCeiling, Instant deadline) {
        String instructions = INSTRUCTIONS.formatted(Math.max(30, summaryCeiling * 3 / 4));
        int chunkCeiling = budget - tokens.countMessage(model, instructions) - summaryCeiling
                - tokens.countMessage(model, "Previous summary:\n\nConversation to fold in:\n") - 16;
        List<RecordedCall> calls = new ArrayList<>();
        // a summary written under a larger budget (or another model's encoding) is cut to today's ceiling
        String summary = tokens.truncateStart(model, previousSummary, summaryCeiling);
        boolean extractive = false;
        List<String> chunk = new ArrayList<>();
        int chunkTokens = 0;
        for (int i = 0; i < fold.size(); i++) {
            String line = tokens.truncate(model, ContextAssembler.transcriptLine(fold.get(i)), chunkCeiling);
            int cost = tokens.count(model, line + "\n");
            if (!chunk.isEmpty() && chunkTokens + cost > chunkCeiling) {
                Step step = summarize(tenantId, conversationId, model, instructions, summary, chunk, fold,
                        summaryCeiling, deadline, calls);
                summary = step.summary();
                extractive |= step.extractive();
                chunk = new ArrayList<>();
                chunkTokens = 0;
            }
            chunk.add(line);
            chunkTokens += cost;
        }
        if (!chunk.isEmpty()) {
            Step step = summarize(tenantId, conversationId, model, instructions, summary, chunk, fold, summaryCeiling,
                    deadline, calls);
            summary = step.summary();
            extractive |= step.extractive();
        }
        return new Result(summary, tokens.count(model, summary), fold.getLast().seq(), extractive, calls);
    }

    private record Step(String summary, boolean extractive) {
    }

    private Step summarize(TenantId tenantId, ConversationId conversationId, String model, String instructions,
                           String previous, List<String> chunk, List<Message> fold, int ceiling, Instant deadline,
                           List<RecordedCall> calls) {
        String input = "Previous summary:\n" + (previous.isBlank() ? "(none)" : previous)
                + "\n\nConversation to fold in:\n" + String.join("\n", chunk);
        // an open summarization circuit answers at once, so no check is made here first
        if (Duration.between(clock.instant(), deadline).toMillis() > 500) {
            LlmResult result = llm.complete(new LlmRequest(
                    new CallContext(tenantId, conversationId, CallPurpose.SUMMARIZATION),
                    List.of(PromptMessage.system(instructions), PromptMessage.user(input)), ceiling, false, deadline));
            calls.addAll(result.calls());
            if (result instanceof LlmResult.Answered answered && !answered.text().isBlank()) {
                return new Step(tokens.truncate(model, answered.text().strip(), ceiling), false);
            }
            log.info("Summarizer unavailable for conversation {}; compacting extractively", conversationId);
        }
        return new Step(extractive(model, previous, chunk, ceiling), true);
    }

    /**
     * Keeps the customer's sentences that carry facts, requests or questions; over the ceiling, the
     * oldest go first (pinned facts and intent are kept elsewhere, so nothing essential depends on them).
     */
    String extractive(String model, String previous, List<String> chunk, int ceiling) {
        List<String> kept = new ArrayList<>();
        if (!previous.isBlank()) {
            kept.add(previous.strip());
        }
        for (String line : chunk) {
            if (!line.startsWith("Customer: ") && !line.startsWith("Note: ")) {
                continue;
            }
            String speaker = line.startsWith("Note: ") ? "Note: " : "Customer: ";
            for (String sentence : line.substring(speaker.length()).split("(?<=[.!?])\\s+")) {
                String s = sentence.strip();
                if (!s.isEmpty() && KEY_SENTENCE.matcher(s).matches()) {
                    kept.add((speaker.equals("Note: ") ? "Note: " : "Customer said: ") + s);
                }
            }
        }
        String text = String.join(" ", kept);
        while (tokens.count(model, text) > ceiling && kept.size() > 1) {
            kept.removeFirst();
            text = String.join(" ", kept);
        }
        return tokens.truncate(model, text, ceiling);
    }

    /** True when {@code m} starts a turn: compaction cuts only just before a customer message. */
    static boolean startsTurn(Message m) {
        return m.role() == MessageRole.CUSTOMER;
    }
}
