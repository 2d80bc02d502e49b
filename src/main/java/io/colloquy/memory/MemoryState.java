package io.colloquy.memory;

import java.time.Instant;
import java.util.List;

/** An immutable copy of a conversation's memory, as read at the start of a turn. */
record MemoryState(String summary, int summaryTokens, int coveredThroughSeq, String intent,
                   List<String> openQuestions, List<PinnedFact> facts, int lastPromptTokens, int compactions,
                   int extractiveCompactions, long version, Instant updatedAt) {

    MemoryState withCompaction(String summary, int summaryTokens, int coveredThroughSeq, boolean extractive) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts,
                lastPromptTokens, compactions + 1, extractiveCompactions + (extractive ? 1 : 0), version, updatedAt);
    }

    /** This state with the summary part of {@code compacted} (facts and intent stay as they are here). */
    MemoryState withSummaryOf(MemoryState compacted) {
        return new MemoryState(compacted.summary, compacted.summaryTokens, compacted.coveredThroughSeq, intent,
                openQuestions, facts, lastPromptTokens, compacted.compactions, compacted.extractiveCompactions,
                version, updatedAt);
    }

    MemoryState withFacts(List<PinnedFact> facts) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, List.copyOf(facts),
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt);
    }

    MemoryState withIntent(String intent, List<String> openQuestions) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, List.copyOf(openQuestions), facts,
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt);
    }

    MemoryState withLastPromptTokens(int lastPromptTokens) {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, openQuestions, facts,
                lastPromptTokens, compactions, extractiveCompactions, version, updatedAt);
    }
}
