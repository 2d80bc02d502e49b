package io.colloquy.usage;

/** Why the model was called; every usage row and cost report is split by it. */
public enum CallPurpose {
    /** Answering a customer's turn (synchronous or queued). */
    CHAT,
    /** Folding older turns into a conversation's running summary. */
    SUMMARIZATION
}
