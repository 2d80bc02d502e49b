package io.colloquy.conversation;

import io.colloquy.shared.ConflictException;

/** A state change the conversation's state machine does not allow from where it is. */
public class IllegalTransitionException extends ConflictException {

    public IllegalTransitionException(ConversationStatus from, ConversationStatus to) {
        super("illegal-state-transition", "Conversation state does not allow this",
                "The conversation is " + from + " and cannot become " + to);
    }
}
