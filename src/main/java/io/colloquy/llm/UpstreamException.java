package io.colloquy.llm;

import java.time.Duration;

import io.colloquy.usage.CallOutcome;

/** A provider call that failed; {@link #outcome()} says how, which decides whether to retry. */
class UpstreamException extends RuntimeException {

    private final CallOutcome outcome;
    private final Integer status;
    private final Duration retryAfter;
    private final String partialText;
    private final boolean silent;

    UpstreamException(CallOutcome outcome, Integer status, Duration retryAfter, String message, Throwable cause) {
        this(outcome, status, retryAfter, message, cause, null, false);
    }

    private UpstreamException(CallOutcome outcome, Integer status, Duration retryAfter, String message, Throwable cause,
                              String partialText, boolean silent) {
        super(message, cause, false, false);
        this.outcome = outcome;
        this.status = status;
        this.retryAfter = retryAfter;
        this.partialText = partialText;
        this.silent = silent;
    }

    /**
     * The provider said nothing for longer than its first-byte limit: it hangs. Not retried on the same
     * upstream (it would hang again and eat the turn's time); the next entry of the route is tried instead.
     */
    static UpstreamException silent(String message, Throwable cause) {
        return new UpstreamException(CallOutcome.TIMEOUT, null, null, message, cause, null, true);
    }

    /** The same failure, after the provider had already streamed {@code text} of its answer. */
    UpstreamException withPartialText(String text) {
        return new UpstreamException(outcome, status, retryAfter, getMessage(), getCause(), text, silent);
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
        if (silent) {
            return false;
        }
        return switch (outcome) {
            case RATE_LIMITED, SERVER_ERROR, CONNECTION_ERROR, TIMEOUT -> true;
            case MALFORMED_RESPONSE, REJECTED, SUCCESS -> false;
        };
    }

    boolean countsAsOutage() {
        return outcome != CallOutcome.REJECTED || (status != null && (status == 401 || status == 403));
    }

    /** What went wrong, for the ledger and the log: the status and the message (never customer text), short. */
    String detail() {
        String m = getMessage() == null ? outcome.name() : getMessage();
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    String errorType() {
        return status == null ? outcome.name() : outcome.name() + "_" + status;
    }
}
