package io.colloquy.llm;

import java.util.Objects;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.usage.CallPurpose;

/** Carried by every model call so its tokens and cost land on the right tenant and conversation. */
public record CallContext(TenantId tenantId, ConversationId conversationId, CallPurpose purpose) {

    public CallContext {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(purpose, "purpose");
    }
}
