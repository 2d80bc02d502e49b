package io.colloquy.llm;

/**
 * The only door to the model. Every call is attributed by its {@link CallContext}, protected by
 * time limits, retries, a circuit breaker and a bulkhead, and recorded in the usage ledger, whether
 * it succeeds or fails. Never call it inside a database transaction: a model call can take seconds.
 */
public interface LlmClient {

    LlmResult complete(LlmRequest request);

    /** Whether the model is currently being called at all (false while the circuit is open). */
    boolean available();

    /** The model used when a tenant names none. */
    String defaultModel();

    /** The longest a synchronous turn may spend on the model, retries included. */
    java.time.Duration turnBudget();
}
