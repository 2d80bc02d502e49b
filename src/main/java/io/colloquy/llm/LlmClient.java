package io.colloquy.llm;

/**
 * The only door to the model. Every call is attributed by its {@link CallContext}, protected by
 * time limits, retries, a circuit breaker and a bulkhead, and recorded in the usage ledger, whether
 * it succeeds or fails. Never call it inside a database transaction: a model call can take seconds.
 */
public interface LlmClient {

    LlmResult complete(LlmRequest request);

    /**
     * The same call, streamed: each piece of the answer's text goes to {@code listener} as the provider
     * produces it; the result is what {@link #complete} would have returned. An attempt that fails after
     * the listener committed to showing its text is not retried.
     */
    LlmResult stream(LlmRequest request, StreamListener listener);

    /**
     * Writes the usage of an answer whose request left it to the caller ({@link LlmRequest#answerRecordedByCaller}):
     * inside the caller's transaction, where a failed write fails that transaction (so the answer is never
     * stored without its usage), or, with no transaction open (after such a failure), on its own, where a
     * failed write is logged for replay. Returns the result with every call recorded; any other result as it is.
     */
    LlmResult recordAnswer(LlmResult result);

    /** Whether some model of the tenant's route is being called at all (false while all their circuits are open). */
    boolean available(io.colloquy.tenant.TenantSettings settings);

    /** Whether any model is being called at all (false only while every circuit is open). */
    boolean anyAvailable();

    /** The first model of the tenant's route: the one its prompts are counted for. */
    String primaryModel(io.colloquy.tenant.TenantSettings settings);

    /** The longest a synchronous turn may spend on the model, retries included. */
    java.time.Duration turnBudget();
}
