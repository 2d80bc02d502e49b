package io.colloquy.handoff;

import java.util.UUID;

/** What a turn's response says about a handoff it made. */
public record HandoffRef(UUID id, HandoffReason reason) {
}
