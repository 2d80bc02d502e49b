package io.colloquy.chat;

import io.colloquy.conversation.Message;

/**
 * What a streamed turn tells its caller as the turn happens; a JSON turn listens to none of it. The
 * order is: {@code accepted}, then reply text in {@code delta}s; a {@code handoff} voids the text
 * streamed before it, and the text after it (the holding reply) is what the transcript keeps.
 */
interface TurnListener {

    TurnListener NONE = new TurnListener() {
    };

    /** The customer's message is stored. */
    default void accepted(Message customer) {
    }

    /** The next piece of the reply the customer reads. */
    default void delta(String text) {
    }

    /** The turn handed the conversation to a person. */
    default void handoff(TurnResponse.HandoffBody handoff) {
    }

    /** Whether anything is listening (a JSON turn asks the model for its answer in one piece). */
    default boolean streaming() {
        return false;
    }
}
