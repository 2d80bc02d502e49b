package io.colloquy.llm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.colloquy.usage.CallOutcome;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.ModelCall;
import io.colloquy.usage.RecordedCall;
import io.colloquy.usage.UsageLedger;

/**
 * The door's implementation. Per request: the circuit breaker answers at once when the model is known
 * to be down; each attempt holds a bulkhead permit, runs on a virtual thread under a time limit
 * (never past the request's deadline), and is recorded in the ledger; failed attempts are retried by
 * Resilience4j's {@code Retry} with back-off and jitter, honouring Retry-After, only while the next
 * attempt still fits before the deadline.
 */
class ResilientLlmClient implements LlmClient {

    private static final Logger log = LoggerFactory.getLogger(ResilientLlmClient.class);
    /** An attempt with less time than this left is not worth starting. */
    static final Duration MINIMUM_ATTEMPT = Duration.ofMillis(250);
    private static final Duration BULKHEAD_POLL = Duration.ofMillis(20);

    private final ModelBackend backend;
    private final Map<CallPurpose, Guard> guards;
    private final CircuitBreaker chatCircuit;
    private final Bulkhead bulkhead;
    private final UsageLedger ledger;
    private final TokenCounter tokens;
    private final LlmProperties properties;
    private final String defaultModel;
    private final Clock clock;
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * The circuit breaker and retry policy of one call purpose. Summarization has its own (one attempt,
     * its own circuit): memory has an extractive fallback, so a failing summarizer must neither spend
     * the turn's time on retries nor open the circuit that live chat depends on.
     */
    record Guard(CircuitBreaker circuitBreaker, Retry retry) {
    }

    ResilientLlmClient(ModelBackend backend, Map<CallPurpose, Guard> guards,
                       Bulkhead bulkhead, UsageLedger ledger, TokenCounter tokens, LlmProperties properties,
                       String defaultModel, Clock clock) {
        this.backend = backend;
        this.guards = Map.copyOf(guards);
        this.chatCircuit = guards.get(CallPurpose.CHAT).circuitBreaker();
        this.bulkhead = bulkhead;
        this.ledger = ledger;
        this.tokens = tokens;
        this.properties = properties;
        this.defaultModel = defaultModel;
        this.clock = clock;
    }

    @Override
    public String defaultModel() {
        return defaultModel;
    }

    @Override
    public Duration turnBudget() {
        return properties.turnBudget();
    }

    @Override
    public boolean available() {
        return available(chatCircuit);
    }

    @Override
    public LlmResult complete(LlmRequest request) {
        return stream(request, null);
    }

    @Override
    public LlmResult stream(LlmRequest request, StreamListener listener) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            // a model call inside a transaction would hold a database connection for seconds
            throw new IllegalStateException("The model must not be called inside a database transaction");
        }
        String model = request.model() != null && !request.model().isBlank() ? request.model() : defaultModel;
        List<RecordedCall> calls = new ArrayList<>();
        try {
            return ScopedValue.where(RetrySchedule.DEADLINE, request.deadline())
                    .call(() -> attemptUntilDone(request, model, calls, listener));
        } catch (RuntimeException e) {
            // a bug must not become a 500 for the customer: the turn degrades like any upstream failure
            log.error("Model door failed unexpectedly", e);
            return new LlmResult.Unavailable(LlmResult.UnavailableReason.UPSTREAM_FAULT, e.getClass().getSimpleName(),
                    List.copyOf(calls));
        }
    }

    private LlmResult attemptUntilDone(LlmRequest request, String model, List<RecordedCall> calls,
                                       StreamListener listener) {
        Guard guard = guards.get(request.context().purpose());
        CircuitBreaker circuitBreaker = guard.circuitBreaker();
        Retry.Context<Object> retryContext = guard.retry().context();
        int attempt = 0;
        while (true) {
            if (!available(circuitBreaker)) {
                return unavailable(LlmResult.UnavailableReason.CIRCUIT_OPEN, "circuit open", calls);
            }
            // a bulkhead slot first (the wait counts against the deadline), then the circuit's permission
            if (!awaitBulkhead(request.deadline())) {
                return unavailable(LlmResult.UnavailableReason.BULKHEAD_FULL, "too many concurrent model calls", calls);
            }
            Duration remaining = Duration.between(clock.instant(), request.deadline());
            if (remaining.compareTo(MINIMUM_ATTEMPT) < 0) {
                bulkhead.releasePermission();
                return unavailable(LlmResult.UnavailableReason.TIMED_OUT, "time budget spent", calls);
            }
            if (!circuitBreaker.tryAcquirePermission()) {
                bulkhead.releasePermission();
                return unavailable(LlmResult.UnavailableReason.CIRCUIT_OPEN, "circuit open", calls);
            }
            attempt++;
            if (listener != null && attempt > 1) {
                listener.restart();
            }
            Duration limit = properties.attemptTimeout().compareTo(remaining) < 0 ? properties.attemptTimeout() : remaining;
            Instant started = clock.instant();
            long startNanos = System.nanoTime();
            ModelBackend.BackendReply reply = null;
            UpstreamException failure = null;
            try {
                reply = callWithin(request, model, limit, listener);
            } catch (UpstreamException e) {
                failure = e;
            } finally {
                // the slot guards calls to the provider: it is free again before the ledger write
                bulkhead.onComplete();
            }
            long elapsed = System.nanoTime() - startNanos;
            if (failure == null) {
                circuitBreaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                retryContext.onComplete();
                calls.add(recordSuccess(request, model, attempt, started, Duration.ofNanos(elapsed), reply));
                return new LlmResult.Answered(reply.text(), model, List.copyOf(calls));
            }
            circuitBreaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
            calls.add(recordFailure(request, model, attempt, started, Duration.ofNanos(elapsed), failure));
            if (listener != null && listener.committed()) {
                // the customer already read part of this answer: another attempt would tell a different story
                return unavailable(reasonFor(failure), failure.getMessage(), calls);
            }
            try {
                // sleeps the back-off and returns to try again, or rethrows when retrying is over
                retryContext.onRuntimeError(failure);
            } catch (UpstreamException last) {
                return unavailable(reasonFor(last), last.getMessage(), calls);
            }
        }
    }

    private static LlmResult.UnavailableReason reasonFor(UpstreamException failure) {
        return !failure.retryable() ? LlmResult.UnavailableReason.UPSTREAM_FAULT
                : failure.outcome() == CallOutcome.TIMEOUT ? LlmResult.UnavailableReason.TIMED_OUT
                : LlmResult.UnavailableReason.UPSTREAM_ERROR;
    }

    private static boolean available(CircuitBreaker circuit) {
        return circuit.getState() != CircuitBreaker.State.OPEN && circuit.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    /**
     * Waits for a bulkhead slot up to {@code colloquy.llm.bulkhead-wait}, and never past the point where
     * an attempt would no longer fit before the deadline. (Resilience4j's own wait is set to 0: it
     * cannot know each request's deadline.)
     */
    private boolean awaitBulkhead(Instant deadline) {
        Instant giveUp = clock.instant().plus(properties.bulkheadWait());
        Instant lastUseful = deadline.minus(MINIMUM_ATTEMPT);
        if (lastUseful.isBefore(giveUp)) {
            giveUp = lastUseful;
        }
        while (!bulkhead.tryAcquirePermission()) {
            if (!clock.instant().isBefore(giveUp)) {
                return false;
            }
            try {
                Thread.sleep(BULKHEAD_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private ModelBackend.BackendReply callWithin(LlmRequest request, String model, Duration limit,
                                                 StreamListener listener) {
        int maxOutput = request.maxOutputTokens() > 0 ? request.maxOutputTokens() : properties.maxOutputTokens();
        var call = new ModelBackend.BackendCall(model, request.messages(), maxOutput,
                request.structured(), request.context().purpose());
        // a time limit interrupts the call's virtual thread, which closes the provider's connection: a cut-off
        // stream stops generating (and billing) at once
        Future<ModelBackend.BackendReply> future = attempts.submit(() -> backend.call(call, listener));
        try {
            return future.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new UpstreamException(CallOutcome.TIMEOUT, null, null, "no answer within " + limit.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UpstreamException upstream) {
                throw upstream;
            }
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, null, null,
                    "provider client failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamException(CallOutcome.TIMEOUT, null, null, "interrupted", e);
        } catch (CancellationException e) {
            throw new UpstreamException(CallOutcome.TIMEOUT, null, null, "cancelled", e);
        }
    }

    private RecordedCall recordSuccess(LlmRequest request, String model, int attempt, Instant started, Duration latency,
                                       ModelBackend.BackendReply reply) {
        boolean estimated = reply.promptTokens() == null || reply.completionTokens() == null;
        // a silent server is never recorded as zero tokens: count what was sent and received
        int prompt = estimated ? tokens.countPrompt(model, request.messages()) : reply.promptTokens();
        int completion = estimated ? tokens.count(model, reply.text()) : reply.completionTokens();
        int cached = estimated || reply.cachedPromptTokens() == null ? 0 : reply.cachedPromptTokens();
        return record(new ModelCall(UUID.randomUUID(), started, request.context().tenantId(),
                request.context().conversationId(), request.context().purpose(), backend.provider(),
                reply.model() == null ? model : reply.model(), attempt, CallOutcome.SUCCESS, null, prompt, cached,
                completion, estimated, latency));
    }

    /**
     * A failed attempt is recorded with no completion. Providers do not bill requests they refused
     * (429, 4xx, 5xx) or never got (connection errors), so those carry no tokens; an attempt the
     * provider may have processed (it timed out on our side, or it answered 200 with a body the client
     * could not read) carries the prompt size sent, estimated, and is priced like any prompt.
     */
    private RecordedCall recordFailure(LlmRequest request, String model, int attempt, Instant started,
                                       Duration latency, UpstreamException e) {
        int prompt = e.processed() ? tokens.countPrompt(model, request.messages()) : 0;
        // what a broken stream had produced was generated, and billed, like any answer
        int completion = e.partialText() == null ? 0 : tokens.count(model, e.partialText());
        log.warn("Model call failed: tenant={} conversation={} purpose={} attempt={} outcome={} status={} cause={}",
                request.context().tenantId(), request.context().conversationId(), request.context().purpose(),
                attempt, e.outcome(), e.status(), e.getMessage());
        return record(new ModelCall(UUID.randomUUID(), started, request.context().tenantId(),
                request.context().conversationId(), request.context().purpose(), backend.provider(), model, attempt,
                e.outcome(), e.errorType(), prompt, 0, completion, true, latency));
    }

    /**
     * Writes the call to the ledger. When the database cannot take it, the answer is not thrown away
     * (the provider billed it and the customer should have it): the call is logged in full, without
     * content, under {@code USAGE_NOT_RECORDED} so it can be replayed into the ledger, and the turn goes on.
     */
    private RecordedCall record(ModelCall call) {
        try {
            return ledger.record(call);
        } catch (RuntimeException e) {
            log.error("USAGE_NOT_RECORDED callId={} at={} tenant={} conversation={} purpose={} provider={} model={} "
                            + "attempt={} outcome={} promptTokens={} cachedPromptTokens={} completionTokens={} estimated={} "
                            + "latencyMs={} cause={}", call.callId(), call.occurredAt(), call.tenantId(),
                    call.conversationId(), call.purpose(), call.provider(), call.model(), call.attempt(), call.outcome(),
                    call.promptTokens(), call.cachedPromptTokens(), call.completionTokens(), call.estimated(),
                    call.latency().toMillis(), e.toString());
            return new RecordedCall(call, java.math.BigDecimal.ZERO, false);
        }
    }

    private static LlmResult unavailable(LlmResult.UnavailableReason reason, String detail, List<RecordedCall> calls) {
        return new LlmResult.Unavailable(reason, detail, List.copyOf(calls));
    }
}
