package io.colloquy.memory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What agents and admins see of a conversation's memory ({@code GET /conversations/{id}/memory}), and
 * what a handoff package copies.
 *
 * @param recalled the archived messages quoted in the last prompt (what recall found for the customer's
 *                 latest message), oldest first
 */
public record MemoryView(UUID conversationId, String summary, List<FactView> facts, String intent,
                         List<String> openQuestions, int coveredThroughSeq, Tokens tokens, int compactions,
                         int extractiveCompactions, long version, Instant updatedAt, List<Recalled> recalled) {

    public record FactView(String key, String value, int sourceSeq, String previousValue, String origin) {
    }

    public record Tokens(int budget, int lastPrompt, int summary) {
    }

    /**
     * A message recalled from the archive into a prompt.
     *
     * @param quote the text as the model read it (a long message condensed to its relevant sentences)
     */
    public record Recalled(int seq, String role, Instant createdAt, String quote) {
    }
}
