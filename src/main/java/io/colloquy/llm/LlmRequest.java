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
 * @param answerRecordedByCaller whether the answered attempt's usage is left for the caller to write in the
 *                   transaction that stores the answer ({@link LlmClient#recordAnswer}); failed attempts are
 *                   written at once either way
 */
public record LlmRequest(CallContext context, List<PromptMessage> messages, int maxOutputTokens,
                         boolean structured, Instant deadline, boolean answerRecordedByCaller) {

    public LlmRequest {
        Objects.requireNonNull(context, "context");
        messages = List.copyOf(messages);
        Objects.requireNonNull(deadline, "deadline");
    }

    /** A request whose every attempt the door writes to the ledger the moment it ends. */
    public LlmRequest(CallContext context, List<PromptMessage> messages, int maxOutputTokens, boolean structured,
                      Instant deadline) {
        this(context, messages, maxOutputTokens, structured, deadline, false);
    }
}
