package io.colloquy.llm;

import java.time.Duration;

import io.colloquy.usage.CallOutcome;

/** A provider call that failed; {@link #outcome()} says how, which decides whether to retry. */
class UpstreamException extends RuntimeException {

    private final CallOutcome outcome;
    private final Integer status;
    private final Duration retryAfter;

    UpstreamException(CallOutcome outcome, Integer status, Duration retryAfter, String message, Throwable cause) {
        super(message, cause, false, false);
        this.outcome = outcome;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    CallOutcome outcome() {
        return outcome;
    }

    Integer status() {
        return status;
    }

    /** How long the provider asked us to wait (429/503 Retry-After), or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    /** Transient failures are retried; a malformed answer or a refused request would fail the same way again. */
    boolean retryable() {
        return switch (outcome) {
            case RATE_LIMITED, SERVER_ERROR, CONNECTION_ERROR, TIMEOUT -> true;
            case MALFORMED_RESPONSE, REJECTED, SUCCESS -> false;
        };
    }

    boolean countsAsOutage() {
        return outcome != CallOutcome.REJECTED || (status != null && (status == 401 || status == 403));
    }

    String errorType() {
        return status == null ? outcome.name() : outcome.name() + "_" + status;
    }
}
