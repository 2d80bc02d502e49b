package io.colloquy.conversation;

import java.time.Instant;

/**
 * One transcript entry. {@code modelAnswer} is the model's structured answer (JSON) for assistant
 * messages and never leaves the service through the widget API.
 */
public record Message(int seq, MessageRole role, String content, Instant createdAt, Integer inReplyTo,
                      String author, String modelAnswer) {
}
