package io.colloquy.usage;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.shared.Ids;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;

/**
 * Makes a monthly budget a hard cap for every model call (chat, summarization, retries, async,
 * streamed), on every instance: before a call, its largest possible cost is held against the budget in
 * a short transaction that serialises the tenant's holds; the hold is settled when the call's usage is
 * written, in the ledger's transaction, so spend and holds never count a call twice or not at all. A
 * call whose hold would pass the budget is not made. The only overshoot left is a call that costs more
 * than its hold (a provider counting more prompt tokens than were counted here).
 */
@Service
public class BudgetHolds {

    private static final Logger log = LoggerFactory.getLogger(BudgetHolds.class);

    /** A hold taken for one call; {@link #NONE} when the tenant has no budget or the model no price. */
    public record Hold(UUID id, BigDecimal amount) {
        public static final Hold NONE = new Hold(null, BigDecimal.ZERO);
    }

    private final JdbcClient jdbc;
    private final PriceBook prices;
    private final SpendGuard spend;
    private final Clock clock;
    private final Duration expireAfter;
    private final TransactionTemplate newTransaction;

    BudgetHolds(JdbcClient jdbc, PriceBook prices, SpendGuard spend, Clock clock, UsageProperties properties,
                PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.prices = prices;
        this.spend = spend;
        this.clock = clock;
        this.expireAfter = properties.holdExpireAfter();
        this.newTransaction = new TransactionTemplate(transactions);
        this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * Holds the most a call may cost: {@code promptTokens} in and {@code maxOutputTokens} out at the price in
     * force. Empty when that would pass the tenant's monthly budget (the call must not be made).
     */
    public Optional<Hold> hold(TenantId tenantId, TenantSettings settings, String provider, String model,
                               int promptTokens, int maxOutputTokens) {
        BigDecimal budget = settings.monthlyBudgetUsd();
        if (budget == null) {
            return Optional.of(Hold.NONE);
        }
        var now = clock.instant();
        Optional<ModelPrice> price = prices.inForce(provider, model, now);
        if (price.isEmpty()) {
            // a model without a price cannot be counted against a budget (its calls are flagged unpriced)
            return Optional.of(Hold.NONE);
        }
        BigDecimal amount = price.get().cost(promptTokens, 0, maxOutputTokens);
        LocalDate month = LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1);
        return newTransaction.execute(s -> {
            jdbc.sql("""
                            INSERT INTO budget_months (tenant_id, month, held_usd) VALUES (:tenant, :month, 0)
                            ON CONFLICT DO NOTHING""")
                    .param("tenant", tenantId.value()).param("month", month).update();
            BigDecimal held = jdbc.sql("""
                            SELECT held_usd FROM budget_months WHERE tenant_id = :tenant AND month = :month FOR UPDATE""")
                    .param("tenant", tenantId.value()).param("month", month).query(BigDecimal.class).single();
            BigDecimal spent = spend.spentIn(tenantId, month);
            if (spent.add(held).add(amount).compareTo(budget) > 0) {
                return Optional.empty();
            }
            UUID id = Ids.newId(now);
            jdbc.sql("UPDATE budget_months SET held_usd = held_usd + :amount WHERE tenant_id = :tenant AND month = :month")
                    .param("amount", amount).param("tenant", tenantId.value()).param("month", month).update();
            jdbc.sql("""
                            INSERT INTO budget_holds (tenant_id, id, month, amount_usd, expires_at)
                            VALUES (:tenant, :id, :month, :amount, :expires)""")
                    .param("tenant", tenantId.value()).param("id", id).param("month", month).param("amount", amount)
                    .param("expires", Timestamp.from(now.plus(expireAfter))).update();
            return Optional.of(new Hold(id, amount));
        });
    }


    /**
     * Releasing a hold ({@code :tenant}, {@code :hold}) as two common table expressions: the sweep runs it
     * alone, and the ledger's write runs it in its own statement, so a call's cost and the release of its
     * hold commit together.
     */
    static final String RELEASE_CTES = """
            released AS (
                DELETE FROM budget_holds WHERE tenant_id = :tenant AND id = CAST(:hold AS uuid)
                RETURNING month, amount_usd),
            settled AS (
                UPDATE budget_months m SET held_usd = m.held_usd - released.amount_usd FROM released
                WHERE m.tenant_id = :tenant AND m.month = released.month
                RETURNING 1)""";

    private void release(TenantId tenantId, UUID holdId) {
        jdbc.sql("WITH " + RELEASE_CTES + " SELECT count(*) FROM settled")
                .param("tenant", tenantId.value()).param("hold", holdId).query(Long.class).single();
    }

    /** Releases holds whose call never settled (its instance died before recording it). */
    @Scheduled(fixedDelayString = "${colloquy.usage.hold-sweep-interval:30s}")
    void expire() {
        try {
            List<Object[]> expired = jdbc.sql("""
                            /* cross-tenant: budget-hold-expiry */
                            SELECT tenant_id, id FROM budget_holds WHERE expires_at < :now LIMIT 500""")
                    .param("now", Timestamp.from(clock.instant()))
                    .query((rs, n) -> new Object[] {rs.getObject("tenant_id", UUID.class), rs.getObject("id", UUID.class)})
                    .list();
            for (Object[] h : expired) {
                newTransaction.executeWithoutResult(s -> release(TenantId.of((UUID) h[0]), (UUID) h[1]));
            }
            if (!expired.isEmpty()) {
                log.info("Released {} budget holds of calls that never settled", expired.size());
            }
        } catch (RuntimeException e) {
            log.warn("Budget hold sweep failed: {}", e.toString());
        }
    }
}
