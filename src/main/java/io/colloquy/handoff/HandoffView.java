package io.colloquy.handoff;

import java.time.Instant;
import java.util.UUID;

/** A handoff as the agent API returns it; {@code package} is null in queue listings. */
public record HandoffView(UUID id, UUID conversationId, HandoffStatus status, HandoffReason reason, String reasonDetail,
                          int priority, Instant createdAt, long waitingSeconds, String claimedBy, Instant claimedAt,
                          Instant leaseUntil, Instant resolvedAt, String resolution,
                          @com.fasterxml.jackson.annotation.JsonProperty("package") HandoffPackage handoffPackage) {
}
