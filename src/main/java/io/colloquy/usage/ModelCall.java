package io.colloquy.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;

/**
 * One attempt to call the model, as the ledger records it. Token counts are what the provider
 * reported, or jtokkit estimates when it reported none ({@code estimated}).
 *
 * @param callId          unique per attempt; recording the same call twice is harmless
 * @param conversationId  null only for calls made outside any conversation
 * @param upstream        the configured upstream the call went to
 * @param provider        the provider its price is looked up under
 * @param errorDetail     for a failure, what went wrong (status, message; never customer text), else null
 * @param holdId          the budget hold taken for this call, settled when it is recorded, or null
 */
public record ModelCall(
        UUID callId,
        Instant occurredAt,
        TenantId tenantId,
        ConversationId conversationId,
        CallPurpose purpose,
        String upstream,
        String provider,
        String model,
        int attempt,
        CallOutcome outcome,
        String errorType,
        String errorDetail,
        int promptTokens,
        int cachedPromptTokens,
        int completionTokens,
        boolean estimated,
        Duration latency,
        UUID holdId) {
}
