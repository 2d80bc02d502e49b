package io.colloquy.handoff;

/** A reason to hand off, with a short human-readable detail. */
public record Trigger(HandoffReason reason, String detail) {
}
