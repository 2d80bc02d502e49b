package io.colloquy.llm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.Traces;
import io.colloquy.tenant.RouteEntry;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;
import io.colloquy.usage.BudgetHolds;
import io.colloquy.usage.CallOutcome;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.ModelCall;
import io.colloquy.usage.RecordedCall;
import io.colloquy.usage.UsageLedger;

/**
 * The door's implementation. A request walks its tenant's route: each (upstream, model) entry has its
 * own circuit breaker, so one broken endpoint or model cuts off only the tenants that use it; on an
 * entry, failed attempts are retried by Resilience4j's {@code Retry} with back-off and jitter
 * (honouring Retry-After) while the next attempt still fits before the deadline; when an entry is spent
 * (retries used up, circuit open, a malformed answer, a provider that went silent) the next entry is
 * tried, and only when the route is exhausted is the model unavailable. Each attempt holds a slot of
 * the instance's bulkhead and of its tenant's, runs on a virtual thread under a time limit, and is
 * recorded in the ledger with the upstream it went to.
 */
class ResilientLlmClient implements LlmClient {

    private static final Logger log = LoggerFactory.getLogger(ResilientLlmClient.class);
    /** An attempt with less time than this left is not worth starting. */
    static final Duration MINIMUM_ATTEMPT = Duration.ofMillis(250);
    private static final Duration BULKHEAD_POLL = Duration.ofMillis(20);

    private final Upstreams upstreams;
    private final Map<CallPurpose, Guards> guards;
    private final Bulkhead bulkhead;
    private final Map<TenantId, Bulkhead> tenantBulkheads = new ConcurrentHashMap<>();
    private final BulkheadConfig tenantBulkheadConfig;
    private final Tenants tenants;
    private final UsageLedger ledger;
    private final BudgetHolds holds;
    private final TokenCounter tokens;
    private final LlmProperties properties;
    private final Clock clock;
    private final ObservationRegistry observations;
    // an attempt's thread carries the turn's log ids and the attempt's span
    private final ExecutorService attempts = LogContext.propagating(Executors.newVirtualThreadPerTaskExecutor());

    /**
     * The circuit breakers (one per upstream and model, named {@code <instance>:<upstream>:<model>}, all
     * with {@code config}) and the retry policy of one call purpose. Summarization has its own (one
     * attempt, its own circuits): memory has an extractive fallback, so a failing summarizer must neither
     * spend the turn's time on retries nor open the circuits that live chat depends on.
     */
    record Guards(String instance, CircuitBreakerRegistry registry, CircuitBreakerConfig config, Retry retry) {

        CircuitBreaker circuit(RouteEntry entry) {
            return registry.circuitBreaker(instance + ":" + entry.upstream() + ":" + entry.model(), config);
        }
    }

    ResilientLlmClient(Upstreams upstreams, Map<CallPurpose, Guards> guards, Bulkhead bulkhead, Tenants tenants,
                       UsageLedger ledger, BudgetHolds holds, TokenCounter tokens, LlmProperties properties,
                       Clock clock, ObservationRegistry observations) {
        this.upstreams = upstreams;
        this.guards = Map.copyOf(guards);
        this.bulkhead = bulkhead;
        this.tenantBulkheadConfig = BulkheadConfig.custom()
                .maxConcurrentCalls(properties.maxConcurrentCallsPerTenant()).maxWaitDuration(Duration.ZERO).build();
        this.tenants = tenants;
        this.ledger = ledger;
        this.holds = holds;
        this.tokens = tokens;
        this.properties = properties;
        this.clock = clock;
        this.observations = observations;
        // the default route's circuits exist from the start, so health shows them before the first call
        upstreams.defaultRoute().forEach(e -> guards.values().forEach(g -> g.circuit(e)));
    }

    @Override
    public String primaryModel(TenantSettings settings) {
        return upstreams.routeFor(settings).getFirst().model();
    }

    @Override
    public Duration turnBudget() {
        return properties.turnBudget();
    }

    @Override
    public boolean available(TenantSettings settings) {
        Guards chat = guards.get(CallPurpose.CHAT);
        return upstreams.routeFor(settings).stream().anyMatch(e -> closedEnough(chat.circuit(e)));
    }

    @Override
    public boolean anyAvailable() {
        Guards chat = guards.get(CallPurpose.CHAT);
        return upstreams.defaultRoute().stream().anyMatch(e -> closedEnough(chat.circuit(e)))
                || chat.registry().getAllCircuitBreakers().stream()
                .filter(c -> c.getName().startsWith(chat.instance() + ":")).anyMatch(ResilientLlmClient::closedEnough);
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
        List<RecordedCall> calls = new ArrayList<>();
        try {
            TenantSettings settings = tenants.settings(request.context().tenantId());
            return ScopedValue.where(RetrySchedule.DEADLINE, request.deadline())
                    .call(() -> walkRoute(request, settings, upstreams.routeFor(settings), calls, listener));
        } catch (RuntimeException e) {
            // a bug must not become a 500 for the customer: the turn degrades like any upstream failure
            log.error("Model door failed unexpectedly", e);
            return new LlmResult.Unavailable(LlmResult.UnavailableReason.UPSTREAM_FAULT, e.getClass().getSimpleName(),
                    List.copyOf(calls));
        }
    }

    /** Tries the route's entries in order until one answers; the failures of those that did not are kept. */
    private LlmResult walkRoute(LlmRequest request, TenantSettings settings, List<RouteEntry> route,
                                List<RecordedCall> calls, StreamListener listener) {
        List<String> failures = new ArrayList<>();
        LlmResult.UnavailableReason reason = LlmResult.UnavailableReason.UPSTREAM_FAULT;
        for (RouteEntry entry : route) {
            LlmResult result = attemptOn(entry, request, settings, calls, listener);
            if (result instanceof LlmResult.Answered answered) {
                return answered;
            }
            var unavailable = (LlmResult.Unavailable) result;
            if (unavailable.reason() == LlmResult.UnavailableReason.BUDGET_EXHAUSTED) {
                // no other model makes the budget larger
                return unavailable;
            }
            reason = unavailable.reason();
            failures.add(entry + " " + unavailable.reason() + " (" + unavailable.detail() + ")");
            if (listener != null && listener.committed()) {
                // the customer already read part of an answer: another model would tell a different story
                break;
            }
            if (Duration.between(clock.instant(), request.deadline()).compareTo(MINIMUM_ATTEMPT) < 0) {
                break;
            }
        }
        return unavailable(reason, String.join("; ", failures), calls);
    }

    /** Attempts one route entry, with retries, until it answers or is spent. */
    private LlmResult attemptOn(RouteEntry entry, LlmRequest request, TenantSettings settings, List<RecordedCall> calls,
                                StreamListener listener) {
        Guards guard = guards.get(request.context().purpose());
        CircuitBreaker circuitBreaker = guard.circuit(entry);
        Retry.Context<Object> retryContext = guard.retry().context();
        Upstreams.Upstream upstream = upstreams.upstream(entry.upstream());
        ModelBackend backend = upstreams.backendFor(upstream,
                tenants.upstreamKey(request.context().tenantId(), entry.upstream()).orElse(null));
        Bulkhead tenantBulkhead = tenantBulkheads.computeIfAbsent(request.context().tenantId(),
                t -> Bulkhead.of("llm-tenant-" + t, tenantBulkheadConfig));
        int attempt = 0;
        while (true) {
            if (!closedEnough(circuitBreaker)) {
                return unavailable(LlmResult.UnavailableReason.CIRCUIT_OPEN, "circuit open", calls);
            }
            // bulkhead slots first (the wait counts against the deadline), then the circuit's permission
            if (!awaitSlot(tenantBulkhead, request.deadline())) {
                return unavailable(LlmResult.UnavailableReason.BULKHEAD_FULL,
                        "this tenant has " + properties.maxConcurrentCallsPerTenant() + " model calls in flight", calls);
            }
            if (!awaitSlot(bulkhead, request.deadline())) {
                tenantBulkhead.releasePermission();
                return unavailable(LlmResult.UnavailableReason.BULKHEAD_FULL, "too many concurrent model calls", calls);
            }
            Duration remaining = Duration.between(clock.instant(), request.deadline());
            if (remaining.compareTo(MINIMUM_ATTEMPT) < 0 || !circuitBreaker.tryAcquirePermission()) {
                bulkhead.releasePermission();
                tenantBulkhead.releasePermission();
                return remaining.compareTo(MINIMUM_ATTEMPT) < 0
                        ? unavailable(LlmResult.UnavailableReason.TIMED_OUT, "time budget spent", calls)
                        : unavailable(LlmResult.UnavailableReason.CIRCUIT_OPEN, "circuit open", calls);
            }
            int maxOutput = request.maxOutputTokens() > 0 ? request.maxOutputTokens() : properties.maxOutputTokens();
            var hold = holds.hold(request.context().tenantId(), settings, upstream.provider(), entry.model(),
                    tokens.countPrompt(entry.model(), request.messages()), maxOutput);
            if (hold.isEmpty()) {
                bulkhead.releasePermission();
                tenantBulkhead.releasePermission();
                circuitBreaker.releasePermission();
                return unavailable(LlmResult.UnavailableReason.BUDGET_EXHAUSTED,
                        "the monthly budget leaves no room for this call", calls);
            }
            attempt++;
            if (listener != null && (attempt > 1 || !calls.isEmpty())) {
                listener.restart();
            }
            Duration limit = properties.attemptTimeout().compareTo(remaining) < 0 ? properties.attemptTimeout() : remaining;
            Instant started = clock.instant();
            long startNanos = System.nanoTime();
            ModelBackend.BackendReply reply = null;
            UpstreamException failure = null;
            try {
                reply = observed(request, entry, attempt, () -> callWithin(backend, entry, request, limit, listener));
            } catch (UpstreamException e) {
                failure = e;
            } finally {
                // the slots guard calls to the provider: they are free again before the ledger write
                bulkhead.onComplete();
                tenantBulkhead.onComplete();
            }
            long elapsed = System.nanoTime() - startNanos;
            if (failure == null) {
                circuitBreaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                retryContext.onComplete();
                ModelCall answered = answeredCall(request, upstream, entry, attempt, started, Duration.ofNanos(elapsed),
                        reply, hold.get().id());
                if (request.answerRecordedByCaller()) {
                    // written by the caller with the answer, in one transaction (recordAnswer)
                    return new LlmResult.Answered(reply.text(), entry.upstream(), entry.model(), List.copyOf(calls),
                            answered);
                }
                calls.add(record(answered));
                return new LlmResult.Answered(reply.text(), entry.upstream(), entry.model(), List.copyOf(calls));
            }
            circuitBreaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
            calls.add(recordFailure(request, upstream, entry, attempt, started, Duration.ofNanos(elapsed), failure,
                    hold.get().id()));
            if (listener != null && listener.committed()) {
                // the customer already read part of this answer: another attempt would tell a different story
                return unavailable(reasonFor(failure), failure.detail(), calls);
            }
            try {
                // sleeps the back-off and returns to try again, or rethrows when retrying is over
                retryContext.onRuntimeError(failure);
            } catch (UpstreamException last) {
                return unavailable(reasonFor(last), last.detail(), calls);
            }
        }
    }

    /**
     * The span of one attempt ({@code colloquy.llm.attempt}, also a timer by purpose, upstream, model and
     * outcome); the attempt's number (on its route entry) and the ids are span attributes only.
     */
    private ModelBackend.BackendReply observed(LlmRequest request, RouteEntry entry, int attempt,
                                               Supplier<ModelBackend.BackendReply> call) {
        Observation observation = Traces.observation("colloquy.llm.attempt", observations,
                        request.context().tenantId(), request.context().conversationId())
                .lowCardinalityKeyValue("colloquy.llm.purpose", request.context().purpose().name())
                .lowCardinalityKeyValue("colloquy.llm.upstream", entry.upstream())
                .lowCardinalityKeyValue("colloquy.llm.model", entry.model())
                .lowCardinalityKeyValue("colloquy.llm.outcome", CallOutcome.SUCCESS.name())
                .highCardinalityKeyValue("colloquy.llm.attempt", String.valueOf(attempt));
        return observation.observe(() -> {
            try {
                return call.get();
            } catch (UpstreamException e) {
                observation.lowCardinalityKeyValue("colloquy.llm.outcome", e.outcome().name());
                throw e;
            }
        });
    }

    private static LlmResult.UnavailableReason reasonFor(UpstreamException failure) {
        return failure.outcome() == CallOutcome.TIMEOUT ? LlmResult.UnavailableReason.TIMED_OUT
                : !failure.retryable() ? LlmResult.UnavailableReason.UPSTREAM_FAULT
                : LlmResult.UnavailableReason.UPSTREAM_ERROR;
    }

    private static boolean closedEnough(CircuitBreaker circuit) {
        return circuit.getState() != CircuitBreaker.State.OPEN && circuit.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    /**
     * Waits for a slot of {@code bulkhead} up to {@code colloquy.llm.bulkhead-wait}, and never past the
     * point where an attempt would no longer fit before the deadline. (Resilience4j's own wait is 0: it
     * cannot know each request's deadline.)
     */
    private boolean awaitSlot(Bulkhead bulkhead, Instant deadline) {
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

    private ModelBackend.BackendReply callWithin(ModelBackend backend, RouteEntry entry, LlmRequest request,
                                                 Duration limit, StreamListener listener) {
        int maxOutput = request.maxOutputTokens() > 0 ? request.maxOutputTokens() : properties.maxOutputTokens();
        var call = new ModelBackend.BackendCall(entry.model(), request.messages(), maxOutput,
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

    @Override
    public LlmResult recordAnswer(LlmResult result) {
        if (!(result instanceof LlmResult.Answered answered) || answered.unrecorded() == null) {
            return result;
        }
        RecordedCall recorded = TransactionSynchronizationManager.isActualTransactionActive()
                // a failed write fails the caller's transaction; the caller then records the call on its own
                ? ledger.record(answered.unrecorded())
                : record(answered.unrecorded());
        List<RecordedCall> calls = new ArrayList<>(answered.calls());
        calls.add(recorded);
        return new LlmResult.Answered(answered.text(), answered.upstream(), answered.model(), List.copyOf(calls));
    }

    private ModelCall answeredCall(LlmRequest request, Upstreams.Upstream upstream, RouteEntry entry, int attempt,
                                   Instant started, Duration latency, ModelBackend.BackendReply reply, UUID holdId) {
        boolean estimated = reply.promptTokens() == null || reply.completionTokens() == null;
        // a silent server is never recorded as zero tokens: count what was sent and received
        int prompt = estimated ? tokens.countPrompt(entry.model(), request.messages()) : reply.promptTokens();
        int completion = estimated ? tokens.count(entry.model(), reply.text()) : reply.completionTokens();
        int cached = estimated || reply.cachedPromptTokens() == null ? 0 : reply.cachedPromptTokens();
        return new ModelCall(UUID.randomUUID(), started, request.context().tenantId(),
                request.context().conversationId(), request.context().purpose(), upstream.name(), upstream.provider(),
                entry.model(), attempt, CallOutcome.SUCCESS, null, null, prompt, cached, completion, estimated, latency,
                holdId);
    }

    /**
     * A failed attempt is recorded with no completion. Providers do not bill requests they refused
     * (429, 4xx, 5xx) or never got (connection errors), so those carry no tokens; an attempt the
     * provider may have processed (it timed out on our side, answered 200 with a body the client could
     * not read, or broke off mid-stream) carries the prompt size sent, estimated, and is priced like any
     * prompt, with the tokens it had produced.
     */
    private RecordedCall recordFailure(LlmRequest request, Upstreams.Upstream upstream, RouteEntry entry, int attempt,
                                       Instant started, Duration latency, UpstreamException e, UUID holdId) {
        int prompt = e.processed() ? tokens.countPrompt(entry.model(), request.messages()) : 0;
        int completion = e.partialText() == null ? 0 : tokens.count(entry.model(), e.partialText());
        log.warn("Model call failed: tenant={} conversation={} purpose={} upstream={} model={} attempt={} outcome={} "
                        + "status={} cause={}", request.context().tenantId(), request.context().conversationId(),
                request.context().purpose(), upstream.name(), entry.model(), attempt, e.outcome(), e.status(), e.detail());
        return record(new ModelCall(UUID.randomUUID(), started, request.context().tenantId(),
                request.context().conversationId(), request.context().purpose(), upstream.name(), upstream.provider(),
                entry.model(), attempt, e.outcome(), e.errorType(), e.detail(), prompt, 0, completion, true, latency,
                holdId));
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
            log.error("USAGE_NOT_RECORDED callId={} at={} tenant={} conversation={} purpose={} upstream={} provider={} "
                            + "model={} attempt={} outcome={} promptTokens={} cachedPromptTokens={} completionTokens={} "
                            + "estimated={} latencyMs={} cause={}", call.callId(), call.occurredAt(), call.tenantId(),
                    call.conversationId(), call.purpose(), call.upstream(), call.provider(), call.model(), call.attempt(),
                    call.outcome(), call.promptTokens(), call.cachedPromptTokens(), call.completionTokens(),
                    call.estimated(), call.latency().toMillis(), e.toString());
            return new RecordedCall(call, java.math.BigDecimal.ZERO, false);
        }
    }

    private static LlmResult unavailable(LlmResult.UnavailableReason reason, String detail, List<RecordedCall> calls) {
        return new LlmResult.Unavailable(reason, detail, List.copyOf(calls));
    }
}
