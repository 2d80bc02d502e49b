package io.colloquy.memory;

import java.util.List;

import io.colloquy.llm.PromptMessage;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.usage.RecordedCall;

/**
 * A turn's prompt, built under the budget, plus the compaction it may have done (applied to the
 * memory row when the turn commits).
 */
public final class PreparedContext {

    private final TenantId tenantId;
    private final ConversationId conversationId;
    private final String model;
    private final List<PromptMessage> prompt;
    private final int promptTokens;
    private final int budget;
    private final MemoryState compacted;
    private final List<RecordedCall> summarizationCalls;
    private final List<MemoryView.Recalled> recalled;
    private final List<Double> earlierConfidences;
    private final MemoryState memoryRead;

    PreparedContext(TenantId tenantId, ConversationId conversationId, String model, List<PromptMessage> prompt,
                    int promptTokens, int budget, MemoryState compacted, List<RecordedCall> summarizationCalls,
                    List<MemoryView.Recalled> recalled, List<Double> earlierConfidences, MemoryState memoryRead) {
        this.tenantId = tenantId;
        this.conversationId = conversationId;
        this.model = model;
        this.prompt = List.copyOf(prompt);
        this.promptTokens = promptTokens;
        this.budget = budget;
        this.compacted = compacted;
        this.summarizationCalls = List.copyOf(summarizationCalls);
        this.recalled = List.copyOf(recalled);
        // nulls are answers of unknown confidence
        this.earlierConfidences = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(earlierConfidences));
        this.memoryRead = memoryRead;
    }

    /**
     * The confidences of the assistant's latest {@value SessionMemory#ANSWER_HISTORY} answers before this turn,
     * newest first, null where unknown (the history the handoff triggers read), read with the transcript in the
     * same transaction.
     */
    public List<Double> earlierConfidences() {
        return earlierConfidences;
    }

    /** The memory as read for this prompt (before any compaction), at the version it had then. */
    MemoryState memoryRead() {
        return memoryRead;
    }

    public TenantId tenantId() {
        return tenantId;
    }

    public ConversationId conversationId() {
        return conversationId;
    }

    public String model() {
        return model;
    }

    public List<PromptMessage> prompt() {
        return prompt;
    }

    /** The prompt's size as counted here (jtokkit, with chat formatting overhead). */
    public int promptTokens() {
        return promptTokens;
    }

    public int budget() {
        return budget;
    }

    /** The model calls made to compact memory for this turn (already in the ledger). */
    public List<RecordedCall> summarizationCalls() {
        return summarizationCalls;
    }

    /** The archived messages this prompt quotes (recall), oldest first. */
    public List<MemoryView.Recalled> recalled() {
        return recalled;
    }

    /** The memory state after compaction, or null when none was needed. */
    MemoryState compacted() {
        return compacted;
    }
}
