package io.colloquy.chat;

import java.time.Instant;
import java.util.UUID;

/**
 * An async turn as the widget API shows it. {@code reply} is the assistant's message once the job is
 * DONE (null when a person took the conversation instead, see {@code handoff}).
 */
record JobView(UUID id, UUID conversationId, int customerSeq, AsyncJobs.Status status, int attempts,
               TurnResponse.MessageBody reply, TurnResponse.HandoffBody handoff, String lastError, Instant createdAt,
               Instant updatedAt) {
}
