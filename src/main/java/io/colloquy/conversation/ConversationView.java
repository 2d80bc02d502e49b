package io.colloquy.conversation;

import java.time.Instant;
import java.util.Map;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;

public record ConversationView(ConversationId id, TenantId tenantId, ConversationStatus status,
                               String externalUserRef, Map<String, Object> metadata, int lastSeq,
                               Instant createdAt, Instant updatedAt) {
}
