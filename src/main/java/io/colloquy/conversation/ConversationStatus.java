package io.colloquy.conversation;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who answers the customer. The model answers only in {@link #BOT}; in the two agent states every
 * customer message goes to the human queue instead.
 */
public enum ConversationStatus {
    BOT,
    AWAITING_AGENT,
    WITH_AGENT,
    CLOSED;

    public Set<ConversationStatus> next() {
        return switch (this) {
            case BOT -> EnumSet.of(AWAITING_AGENT, CLOSED);
            case AWAITING_AGENT -> EnumSet.of(WITH_AGENT, CLOSED);
            case WITH_AGENT -> EnumSet.of(AWAITING_AGENT, BOT, CLOSED);
            case CLOSED -> EnumSet.noneOf(ConversationStatus.class);
        };
    }

    public boolean canMoveTo(ConversationStatus target) {
        return next().contains(target);
    }

    public boolean humanOwned() {
        return this == AWAITING_AGENT || this == WITH_AGENT;
    }
}
