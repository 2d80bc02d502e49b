package io.colloquy.conversation;

import java.time.Instant;

/**
 * One change to a conversation, as its event stream delivers it: a message appended (with the message)
 * or a new status. {@code seq} orders a conversation's events and is the stream's event id.
 */
public record ConversationEvent(long seq, Kind kind, Message message, ConversationStatus status, Instant createdAt) {

    public enum Kind { MESSAGE, STATUS }
}
