package io.colloquy.memory;

import java.time.Instant;

/**
 * A key fact pinned outside the summary, so a lossy summary cannot drop it.
 *
 * @param sourceSeq     the transcript message the current value came from
 * @param previousValue the value this one replaced, or null if it never changed
 * @param origin        MODEL (reported in the model's structured answer) or EXTRACTED (found by pattern)
 */
public record PinnedFact(String key, String value, int sourceSeq, String previousValue, String origin,
                         Instant updatedAt) {
}
