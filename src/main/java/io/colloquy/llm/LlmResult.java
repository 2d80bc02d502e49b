package io.colloquy.llm;

import java.math.BigDecimal;
import java.util.List;

import io.colloquy.usage.ModelCall;
import io.colloquy.usage.RecordedCall;

/** What the door returns: an answer, or the reason none could be had. Never an exception. */
public sealed interface LlmResult {

    /**
     * Every attempt this request made, as recorded in the ledger (an answer left for its caller to record
     * is in {@link Answered#unrecorded} until it is).
     */
    List<RecordedCall> calls();

    /**
     * The answer, and the upstream and model of the route that gave it.
     *
     * @param unrecorded the answered attempt, when the request left it for the caller to write with the answer
     *                   ({@link LlmClient#recordAnswer}); null once it is in {@code calls}
     */
    record Answered(String text, String upstream, String model, List<RecordedCall> calls, ModelCall unrecorded)
            implements LlmResult {

        public Answered(String text, String upstream, String model, List<RecordedCall> calls) {
            this(text, upstream, model, calls, null);
        }
    }

    record Unavailable(UnavailableReason reason, String detail, List<RecordedCall> calls) implements LlmResult {
    }

    default int promptTokens() {
        return calls().stream().mapToInt(c -> c.call().promptTokens()).sum();
    }

    default int completionTokens() {
        return calls().stream().mapToInt(c -> c.call().completionTokens()).sum();
    }

    default BigDecimal costUsd() {
        return calls().stream().map(RecordedCall::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** Why the model could not answer. */
    enum UnavailableReason {
        /** The circuit breaker is open: the model failed recently and is not being called. */
        CIRCUIT_OPEN,
        /** Too many calls are already waiting on the model. */
        BULKHEAD_FULL,
        /** The turn's time budget ran out (attempt timeouts and back-off included). */
        TIMED_OUT,
        /** Retryable failures (5xx, 429, connection) until the attempts or budget ran out. */
        UPSTREAM_ERROR,
        /** The provider answered with something unreadable, or refused the request: retrying won't help. */
        UPSTREAM_FAULT,
        /** The call's largest possible cost would pass the tenant's monthly budget: it was not made. */
        BUDGET_EXHAUSTED
    }
}
