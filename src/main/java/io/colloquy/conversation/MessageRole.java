package io.colloquy.conversation;

/** Who wrote a transcript message. SYSTEM messages are notes for the model (an agent's hand-back note). */
public enum MessageRole {
    CUSTOMER,
    ASSISTANT,
    AGENT,
    SYSTEM
}
