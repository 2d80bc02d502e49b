package io.colloquy.memory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.colloquy.privacy.Masker;

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

    /** The same memory as a reader other than the customer sees it: every text through the tenant's masking. */
    public MemoryView masked(Masker masker) {
        if (!masker.masksAnything()) {
            return this;
        }
        return new MemoryView(conversationId, masker.mask(summary),
                facts.stream().map(f -> new FactView(f.key(), masker.mask(f.value()), f.sourceSeq(),
                        masker.mask(f.previousValue()), f.origin())).toList(),
                masker.mask(intent), masker.mask(openQuestions), coveredThroughSeq, tokens, compactions,
                extractiveCompactions, version, updatedAt,
                recalled.stream().map(r -> new Recalled(r.seq(), r.role(), r.createdAt(), masker.mask(r.quote())))
                        .toList());
    }

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
