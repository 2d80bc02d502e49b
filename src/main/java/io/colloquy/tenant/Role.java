package io.colloquy.tenant;

/** What an API key may do. */
public enum Role {
    /** A chat widget: starts conversations and sends customer turns. */
    CHAT,
    /** A human agent: works the handoff queue and replies to customers. */
    AGENT,
    /** Finance: reads cost reports (a platform finance key sees every tenant). */
    FINANCE,
    /** Administration: the platform admin manages tenants, keys and prices; a tenant admin reads its own memory views. */
    ADMIN
}
