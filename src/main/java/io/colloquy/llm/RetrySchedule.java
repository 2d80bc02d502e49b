package io.colloquy.llm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;

/**
 * When to try the model again: the provider's Retry-After when it gave one, else exponential back-off
 * with jitter. Answers -1 (Resilience4j: stop retrying) when the wait plus a useful attempt would
 * pass the request's deadline, so a turn never overruns its time budget by sleeping.
 */
class RetrySchedule implements IntervalBiFunction<Object> {

    /** The current request's deadline, bound by the door around its retry loop. */
    static final ScopedValue<Instant> DEADLINE = ScopedValue.newInstance();

    private final IntervalFunction backoff;
    private final Duration maxRetryAfter;
    private final Clock clock;

    RetrySchedule(Duration initial, double multiplier, double randomization, Duration maxWait, Duration maxRetryAfter,
                  Clock clock) {
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(initial, multiplier, randomization, maxWait);
        this.maxRetryAfter = maxRetryAfter;
        this.clock = clock;
    }

    @Override
    public Long apply(Integer attempt, Either<Throwable, Object> outcome) {
        long wait = backoff.apply(attempt);
        if (outcome.isLeft() && outcome.getLeft() instanceof UpstreamException upstream && upstream.retryAfter() != null) {
            if (upstream.retryAfter().compareTo(maxRetryAfter) > 0) {
                return -1L;
            }
            wait = Math.max(upstream.retryAfter().toMillis(), 1);
        }
        if (DEADLINE.isBound()) {
            Instant nextAttempt = clock.instant().plusMillis(wait).plus(ResilientLlmClient.MINIMUM_ATTEMPT);
            if (nextAttempt.isAfter(DEADLINE.get())) {
                return -1L;
            }
        }
        return wait;
    }
}
