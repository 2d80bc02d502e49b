package io.colloquy.memory;

import java.time.Instant;
import java.util.List;

/**
 * An immutable copy of a conversation's memory, as read at the start of a turn.
 *
 * @param lastRecall what the last prompt quoted from the archive
 */
record MemoryState(String summary, int summaryTokens, int coveredThroughSeq, String intent,
                   List<String> openQuestions, List<PinnedFact> facts, int lastPromptTokens, int compactions,
                   int extractiveCompactions, long version, Instant updatedAt, List<MemoryView.Recalled> lastRecall) {

    /** The memory of a conversation that has none stored yet. */
    static final MemoryState EMPTY = new MemoryState("", 0, 0, null, List.of(), List.of(), 0, 0, 0, 0, Instant.EPOCH,
            List.of());

    MemoryState(String summary, int summaryTokens, int coveredThroughSeq, String intent, List<String> openQuestions,
                List<PinnedFact> facts, int lastPromptTokens, int compactions, int extractiveCompactions, long version,
                Instant updatedAt) {
        this(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts, lastPromptTokens, compactions,
                extractiveCompactions, version, updatedAt, List.of());
    }

    MemoryState withCompaction(String summary, int summaryTokens, int coveredThroughSeq, boolean extractive) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts,
                lastPromptTokens, compactions + 1, extractiveCompactions + (extractive ? 1 : 0), version, updatedAt,
                lastRecall);
    }

    /** This state with the summary part of {@code compacted} (facts and intent stay as they are here). */
    MemoryState withSummaryOf(MemoryState compacted) {
        return new MemoryState(compacted.summary, compacted.summaryTokens, compacted.coveredThroughSeq, intent,
                openQuestions, facts, lastPromptTokens, compacted.compactions, compacted.extractiveCompactions,
                version, updatedAt, lastRecall);
    }

    MemoryState withFacts(List<PinnedFact> facts) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, List.copyOf(facts),
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt, lastRecall);
    }

    MemoryState withIntent(String intent, List<String> openQuestions) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, List.copyOf(openQuestions), facts,
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt, lastRecall);
    }

    /** This state as a write at {@code now} stored it, at the row's new {@code version}. */
    MemoryState written(Instant now, long version) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts,
                lastPromptTokens, compactions, extractiveCompactions, version, now, lastRecall);
    }

    /** The figures of the prompt just sent: its size and what it recalled. */
    MemoryState withLastPrompt(int lastPromptTokens, List<MemoryView.Recalled> recalled) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts,
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt, List.copyOf(recalled));
    }
}
