package io.colloquy.handoff;

public enum HandoffStatus {
    PENDING,
    CLAIMED,
    RESOLVED
}
