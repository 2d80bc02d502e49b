package io.colloquy.shared;

import java.util.Objects;
import java.util.UUID;

/** A conversation's id. */
public record ConversationId(UUID value) {

    public ConversationId {
        Objects.requireNonNull(value, "value");
    }

    public static ConversationId of(UUID value) {
        return new ConversationId(value);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
