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

import io.colloquy.shared.AfterCommit;
import io.colloquy.shared.Traces;

/**
 * The append-only record of every model call, with its roll-ups and the settling of its budget hold (one
 * statement). A call is written in the transaction of the caller when there is one (a synchronous turn
 * writes its answered call with the answer: one commit, and an assistant message never exists without
 * the usage rows of the calls that produced it), else the moment it ends in a short transaction of its
 * own (failed attempts, summaries, queued turns). The provider bills for a call whether or not the turn
 * that made it completes: a turn whose transaction fails writes its call again on its own, so spend is
 * never lost with a failed turn; a repeated call id is recorded once. The budget and anomaly checks run
 * after the commit, holding no lock.
 */
@Service
public class UsageLedger {

    /**
     * Rows the daily roll-up of one tenant, day, model and purpose is spread over. A synchronous turn holds its
     * shard's row lock from its ledger statement through its commit, so 32 concurrent turns of one tenant do
     * wait on each other (the statement's mean time was 1.4 ms at 32 connections, 0.35 ms with 64 shards);
     * 64 shards were measured and not kept: they made the one-connection turn about 1 ms slower, for a reason
     * not yet found (BENCHMARKS.md, "The daily roll-up's shards").
     */
    static final int DAILY_SHARDS = 16;

    private final JdbcClient jdbc;
    private final PriceBook prices;
    private final UsageMeters meters;
    private final CostWatch watch;
    private final ObservationRegistry observations;
    private final TransactionTemplate transaction;
    private final java.util.Set<String> unpricedSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UsageLedger.class);

    UsageLedger(JdbcClient jdbc, PriceBook prices, UsageMeters meters, CostWatch watch,
                PlatformTransactionManager transactions, ObservationRegistry observations) {
        this.jdbc = jdbc;
        this.prices = prices;
        this.meters = meters;
        this.watch = watch;
        this.observations = observations;
        // the caller's transaction when there is one, else one of its own
        this.transaction = new TransactionTemplate(transactions);
        this.transaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
    }

    /**
     * Records one call with its cost, in the caller's transaction when there is one; a repeated call id is
     * recorded once.
     */
    public RecordedCall record(ModelCall call) {
        // the span of the ledger write (a child of the turn's); the write's timer stays colloquy.usage.record
        return Traces.observation("colloquy.usage.ledger.write", observations, call.tenantId(), call.conversationId())
                .lowCardinalityKeyValue("colloquy.usage.purpose", call.purpose().name())
                .highCardinalityKeyValue("colloquy.usage.call.id", call.callId().toString())
                .highCardinalityKeyValue("colloquy.usage.attempt", String.valueOf(call.attempt()))
                .observe(() -> {
                    long started = System.nanoTime();
                    Written written = transaction.execute(status -> write(call));
                    meters.recorded(written.recorded(), System.nanoTime() - started);
                    if (written.inserted()) {
                        // after the commit: the checks hold no lock, and a failing check never loses a call
                        AfterCommit.run(() -> watch.afterRecorded(call, written.recorded().costUsd(),
                                written.conversationMonthUsd()));
                    }
                    return written.recorded();
                });
    }

    /** What one write stored: whether the call was new, and the conversation's month total with it. */
    private record Written(RecordedCall recorded, boolean inserted, BigDecimal conversationMonthUsd) {
    }

    /**
     * The call, its roll-ups and the settling of its budget hold, in one statement (one round trip).
     * The daily roll-up is spread over {@value #DAILY_SHARDS} rows per tenant, day, model and purpose, so
     * concurrent calls of one tenant rarely wait for each other's row lock; reports sum the shards.
     */
    private Written write(ModelCall call) {
        Optional<ModelPrice> price = prices.inForce(call.provider(), call.model(), call.occurredAt());
        BigDecimal cost = price.map(p -> p.cost(call.promptTokens(), call.cachedPromptTokens(), call.completionTokens()))
                .orElse(BigDecimal.ZERO.setScale(12));
        LocalDate day = LocalDate.ofInstant(call.occurredAt(), ZoneOffset.UTC);
        var row = jdbc.sql("""
                        WITH call AS (
                            INSERT INTO usage_ledger (id, occurred_at, tenant_id, conversation_id, purpose, upstream,
                                provider, model, attempt, outcome, error_type, error_detail, prompt_tokens,
                                cached_prompt_tokens, completion_tokens, tokens_estimated, price_id, cost_usd, priced,
                                latency_ms)
                            VALUES (:id, :at, :tenant, CAST(:conversation AS uuid), :purpose, :upstream, :provider, :model,
                                :attempt, :outcome, :errorType, :errorDetail, :prompt, :cached, :completion, :estimated,
                                CAST(:priceId AS uuid), :cost, :priced, :latency)
                            ON CONFLICT DO NOTHING
                            RETURNING tenant_id),
                        conversation AS (
                            INSERT INTO usage_conversation_monthly AS c (tenant_id, month, conversation_id, calls,
                                failed_calls, unpriced_calls, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_usd)
                            SELECT tenant_id, :month, CAST(:conversation AS uuid), 1, :failed, :unpriced, :prompt, :cached,
                                :completion, :cost
                            FROM call WHERE CAST(:conversation AS uuid) IS NOT NULL
                            ON CONFLICT (tenant_id, month, conversation_id) DO UPDATE SET
                            """ + addToRow("c") + """
                            RETURNING c.cost_usd),
                        daily AS (
                            INSERT INTO usage_daily AS d (tenant_id, day, model, purpose, shard, calls, failed_calls,
                                unpriced_calls, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_usd)
                            SELECT tenant_id, :day, :model, :purpose, :shard, 1, :failed, :unpriced, :prompt, :cached,
                                :completion, :cost
                            FROM call
                            ON CONFLICT (tenant_id, day, model, purpose, shard) DO UPDATE SET
                            """ + addToRow("d") + """
                            RETURNING 1),
                        """ + BudgetHolds.RELEASE_CTES + """
                        SELECT (SELECT count(*) FROM call) AS inserted, (SELECT cost_usd FROM conversation) AS conversation_usd""")
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
                .param("day", day)
                .param("month", day.withDayOfMonth(1))
                .param("shard", (short) Math.floorMod(call.callId().hashCode(), DAILY_SHARDS))
                .param("failed", call.outcome().succeeded() ? 0 : 1)
                .param("unpriced", price.isPresent() ? 0 : 1)
                .param("hold", call.holdId())
                .query((rs, n) -> new Object[] {rs.getLong("inserted"), rs.getBigDecimal("conversation_usd")})
                .single();
        RecordedCall recorded = new RecordedCall(call, cost, price.isPresent());
        if (price.isEmpty() && unpricedSeen.add(call.tenantId() + "/" + call.provider() + "/" + call.model())) {
            // not free, just unknown: the report counts these calls, and the price table needs a row
            log.warn("UNPRICED_MODEL_CALL tenant={} provider={} model={}: add a price with POST /api/v1/model-prices",
                    call.tenantId(), call.provider(), call.model());
        }
        return new Written(recorded, (Long) row[0] == 1, (BigDecimal) row[1]);
    }

    /**
     * The SET list that adds an upsert's counters to the row already there (aliased {@code alias}): the ledger's
     * roll-ups and the fold of the daily roll-up's shards count the same seven figures.
     */
    static String addToRow(String alias) {
        return String.join(", ", java.util.stream.Stream.of("calls", "failed_calls", "unpriced_calls", "prompt_tokens",
                        "cached_prompt_tokens", "completion_tokens", "cost_usd")
                .map(c -> c + " = " + alias + "." + c + " + excluded." + c).toList()) + "\n";
    }
}
