package io.colloquy.llm;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A request through the model door: the tenant's route (from its settings) says which models it tries.
 *
 * @param maxOutputTokens most tokens the answer may have, or 0 for the door's configured limit
 * @param structured whether the answer is the JSON structured answer ({@link ModelAnswer})
 * @param deadline   the instant by which the door must have answered, retries included
 */
public record LlmRequest(CallContext context, List<PromptMessage> messages, int maxOutputTokens,
                         boolean structured, Instant deadline) {

    public LlmRequest {
        Objects.requireNonNull(context, "context");
        messages = List.copyOf(messages);
        Objects.requireNonNull(deadline, "deadline");
    }
}
