package io.colloquy.llm;

import java.time.Duration;

import io.colloquy.usage.CallOutcome;

/** A provider call that failed; {@link #outcome()} says how, which decides whether to retry. */
class UpstreamException extends RuntimeException {

    private final CallOutcome outcome;
    private final Integer status;
    private final Duration retryAfter;
    private final String partialText;

    UpstreamException(CallOutcome outcome, Integer status, Duration retryAfter, String message, Throwable cause) {
        this(outcome, status, retryAfter, message, cause, null);
    }

    private UpstreamException(CallOutcome outcome, Integer status, Duration retryAfter, String message, Throwable cause,
                              String partialText) {
        super(message, cause, false, false);
        this.outcome = outcome;
        this.status = status;
        this.retryAfter = retryAfter;
        this.partialText = partialText;
    }

    /** The same failure, after the provider had already streamed {@code text} of its answer. */
    UpstreamException withPartialText(String text) {
        return new UpstreamException(outcome, status, retryAfter, getMessage(), getCause(), text);
    }

    /** What the provider streamed before the failure, or null when it produced nothing we saw. */
    String partialText() {
        return partialText;
    }

    /** The provider worked on the request (and bills for it): it timed out on our side, answered unreadably, or broke mid-stream. */
    boolean processed() {
        return outcome == CallOutcome.TIMEOUT || outcome == CallOutcome.MALFORMED_RESPONSE || partialText != null;
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
