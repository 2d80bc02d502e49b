package io.colloquy.tenant;

/** What happens to a new turn once the tenant's monthly budget is spent. */
public enum HardLimitAction {
    /** Refuse the turn with 429 and a problem body. */
    REJECT,
    /** Hand the conversation to a human without calling the model. */
    HANDOFF
}
