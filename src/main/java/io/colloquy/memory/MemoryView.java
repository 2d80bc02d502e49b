package io.colloquy.memory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What agents and admins see of a conversation's memory ({@code GET /conversations/{id}/memory}), and
 * what a handoff package copies.
 */
public record MemoryView(UUID conversationId, String summary, List<FactView> facts, String intent,
                         List<String> openQuestions, int coveredThroughSeq, Tokens tokens, int compactions,
                         int extractiveCompactions, long version, Instant updatedAt) {

    public record FactView(String key, String value, int sourceSeq, String previousValue, String origin) {
    }

    public record Tokens(int budget, int lastPrompt, int summary) {
    }
}
