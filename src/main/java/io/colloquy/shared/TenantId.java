package io.colloquy.shared;

import java.util.Objects;
import java.util.UUID;

/** A tenant's id; a type of its own so it cannot be swapped with a conversation id. */
public record TenantId(UUID value) {

    public TenantId {
        Objects.requireNonNull(value, "value");
    }

    public static TenantId of(UUID value) {
        return new TenantId(value);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
