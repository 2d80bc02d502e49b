package io.colloquy.usage;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.shared.Traces;

/**
 * The append-only record of every model call. Each call is written the moment it ends, in its own
 * short transaction with its roll-ups: the provider bills for a call whether or not the turn that
 * made it completes, so spend is never lost with a failed turn, and an assistant message can never
 * exist without the usage rows of the calls that produced it.
 */
@Service
public class UsageLedger {

    private final JdbcClient jdbc;
    private final PriceBook prices;
    private final UsageMeters meters;
    private final CostWatch watch;
    private final BudgetHolds holds;
    private final ObservationRegistry observations;
    private final TransactionTemplate newTransaction;
    private final java.util.Set<String> unpricedSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UsageLedger.class);

    UsageLedger(JdbcClient jdbc, PriceBook prices, UsageMeters meters, CostWatch watch, BudgetHolds holds,
                PlatformTransactionManager transactions, ObservationRegistry observations) {
        this.jdbc = jdbc;
        this.prices = prices;
        this.meters = meters;
        this.watch = watch;
        this.holds = holds;
        this.observations = observations;
        this.newTransaction = new TransactionTemplate(transactions);
        this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Records one call with its cost; a repeated call id is recorded once. */
    public RecordedCall record(ModelCall call) {
        // the span of the ledger write (a child of the turn's); the write's timer stays colloquy.usage.record
        return Traces.observation("colloquy.usage.ledger.write", observations, call.tenantId(), call.conversationId())
                .lowCardinalityKeyValue("colloquy.usage.purpose", call.purpose().name())
                .highCardinalityKeyValue("colloquy.usage.call.id", call.callId().toString())
                .highCardinalityKeyValue("colloquy.usage.attempt", String.valueOf(call.attempt()))
                .observe(() -> {
                    long started = System.nanoTime();
                    RecordedCall recorded = newTransaction.execute(status -> write(call));
                    meters.recorded(recorded, System.nanoTime() - started);
                    return recorded;
                });
    }

    private RecordedCall write(ModelCall call) {
        Optional<ModelPrice> price = prices.inForce(call.provider(), call.model(), call.occurredAt());
        BigDecimal cost = price.map(p -> p.cost(call.promptTokens(), call.cachedPromptTokens(), call.completionTokens()))
                .orElse(BigDecimal.ZERO.setScale(12));
        int inserted = jdbc.sql("""
                        INSERT INTO usage_ledger (id, occurred_at, tenant_id, conversation_id, purpose, upstream, provider,
                            model, attempt, outcome, error_type, error_detail, prompt_tokens, cached_prompt_tokens,
                            completion_tokens, tokens_estimated, price_id, cost_usd, priced, latency_ms)
                        VALUES (:id, :at, :tenant, :conversation, :purpose, :upstream, :provider, :model, :attempt,
                            :outcome, :errorType, :errorDetail, :prompt, :cached, :completion, :estimated, :priceId, :cost,
                            :priced, :latency)
                        ON CONFLICT DO NOTHING""")
                .param("id", call.callId())
                .param("at", Timestamp.from(call.occurredAt()))
                .param("tenant", call.tenantId().value())
                .param("conversation", call.conversationId() == null ? null : call.conversationId().value())
                .param("purpose", call.purpose().name())
                .param("upstream", call.upstream())
                .param("provider", call.provider())
                .param("model", call.model())
                .param("attempt", call.attempt())
                .param("outcome", call.outcome().name())
                .param("errorType", call.errorType())
                .param("errorDetail", call.errorDetail())
                .param("prompt", call.promptTokens())
                .param("cached", call.cachedPromptTokens())
                .param("completion", call.completionTokens())
                .param("estimated", call.estimated())
                .param("priceId", price.map(ModelPrice::id).orElse(null))
                .param("cost", cost)
                .param("priced", price.isPresent())
                .param("latency", (int) Math.min(Integer.MAX_VALUE, call.latency().toMillis()))
                .update();
        RecordedCall recorded = new RecordedCall(call, cost, price.isPresent());
        if (price.isEmpty() && unpricedSeen.add(call.tenantId() + "/" + call.provider() + "/" + call.model())) {
            // not free, just unknown: the report counts these calls, and the price table needs a row
            log.warn("UNPRICED_MODEL_CALL tenant={} provider={} model={}: add a price with POST /api/v1/model-prices",
                    call.tenantId(), call.provider(), call.model());
        }
        if (inserted == 1) {
            // every call of a tenant updates the same roll-up rows: they are written last, so their row
            // locks are held only for the commit, and the checks read the totals before them
            watch.check(call, cost);
            rollUp(recorded);
        }
        if (call.holdId() != null) {
            // the call's cost is spend now: its budget hold goes in the same transaction
            holds.settle(call.tenantId(), call.holdId());
        }
        return recorded;
    }

    private void rollUp(RecordedCall recorded) {
        ModelCall call = recorded.call();
        LocalDate day = LocalDate.ofInstant(call.occurredAt(), ZoneOffset.UTC);
        jdbc.sql("""
                        INSERT INTO usage_daily AS d (tenant_id, day, model, purpose, calls, failed_calls, unpriced_calls,
                            prompt_tokens, cached_prompt_tokens, completion_tokens, cost_usd)
                        VALUES (:tenant, :day, :model, :purpose, 1, :failed, :unpriced, :prompt, :cached, :completion, :cost)
                        ON CONFLICT (tenant_id, day, model, purpose) DO UPDATE SET
                            calls = d.calls + 1,
                            failed_calls = d.failed_calls + excluded.failed_calls,
                            unpriced_calls = d.unpriced_calls + excluded.unpriced_calls,
                            prompt_tokens = d.prompt_tokens + excluded.prompt_tokens,
                            cached_prompt_tokens = d.cached_prompt_tokens + excluded.cached_prompt_tokens,
                            completion_tokens = d.completion_tokens + excluded.completion_tokens,
                            cost_usd = d.cost_usd + excluded.cost_usd""")
                .param("tenant", call.tenantId().value())
                .param("day", day)
                .param("model", call.model())
                .param("purpose", call.purpose().name())
                .param("failed", call.outcome().succeeded() ? 0 : 1)
                .param("unpriced", recorded.priced() ? 0 : 1)
                .param("prompt", call.promptTokens())
                .param("cached", call.cachedPromptTokens())
                .param("completion", call.completionTokens())
                .param("cost", recorded.costUsd())
                .update();
        if (call.conversationId() == null) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO usage_conversation_monthly AS c (tenant_id, month, conversation_id, calls,
                            failed_calls, unpriced_calls, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_usd)
                        VALUES (:tenant, :month, :conversation, 1, :failed, :unpriced, :prompt, :cached, :completion, :cost)
                        ON CONFLICT (tenant_id, month, conversation_id) DO UPDATE SET
                            calls = c.calls + 1,
                            failed_calls = c.failed_calls + excluded.failed_calls,
                            unpriced_calls = c.unpriced_calls + excluded.unpriced_calls,
                            prompt_tokens = c.prompt_tokens + excluded.prompt_tokens,
                            cached_prompt_tokens = c.cached_prompt_tokens + excluded.cached_prompt_tokens,
                            completion_tokens = c.completion_tokens + excluded.completion_tokens,
                            cost_usd = c.cost_usd + excluded.cost_usd""")
                .param("tenant", call.tenantId().value())
                .param("month", day.withDayOfMonth(1))
                .param("conversation", call.conversationId().value())
                .param("failed", call.outcome().succeeded() ? 0 : 1)
                .param("unpriced", recorded.priced() ? 0 : 1)
                .param("prompt", call.promptTokens())
                .param("cached", call.cachedPromptTokens())
                .param("completion", call.completionTokens())
                .param("cost", recorded.costUsd())
                .update();
    }
}
