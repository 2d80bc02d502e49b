package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import io.colloquy.shared.ProblemException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.HardLimitAction;
import io.colloquy.tenant.TenantSettings;

/**
 * The budget check made before every turn: has the tenant spent its monthly budget? The month's
 * spend is read from the daily roll-ups (at most a few hundred rows), never from the ledger. The
 * call that crosses the limit is still made and recorded; the turns after it are not.
 */
@Service
public class SpendGuard {

    public enum Decision {
        ALLOW,
        /** Refuse the turn with 429. */
        REJECT,
        /** Hand the conversation to a person without calling the model. */
        HANDOFF
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    SpendGuard(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Decision check(TenantId tenantId, TenantSettings settings) {
        BigDecimal budget = settings.monthlyBudgetUsd();
        if (budget == null) {
            return Decision.ALLOW;
        }
        if (monthToDate(tenantId).compareTo(budget) < 0) {
            return Decision.ALLOW;
        }
        return settings.hardLimitAction() == HardLimitAction.REJECT ? Decision.REJECT : Decision.HANDOFF;
    }

    public BigDecimal monthToDate(TenantId tenantId) {
        return spentIn(tenantId, LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1));
    }

    /** What the tenant spent in the month starting {@code month}, from the daily roll-ups. */
    BigDecimal spentIn(TenantId tenantId, LocalDate month) {
        return jdbc.sql("""
                        SELECT coalesce(sum(cost_usd), 0) FROM usage_daily
                        WHERE tenant_id = :tenant AND day >= :from AND day < :to""")
                .param("tenant", tenantId.value()).param("from", month).param("to", month.plusMonths(1))
                .query(BigDecimal.class).single();
    }

    /** The 429 answer for a tenant whose budget is spent; it may retry when the next month starts. */
    public ProblemException rejection(TenantId tenantId) {
        var now = clock.instant();
        var nextMonth = LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1).plusMonths(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        long retryAfter = Math.max(1, Duration.between(now, nextMonth).toSeconds());
        return new BudgetExhaustedException(retryAfter);
    }

    static class BudgetExhaustedException extends ProblemException {
        BudgetExhaustedException(long retryAfterSeconds) {
            super(HttpStatus.TOO_MANY_REQUESTS, "budget-exhausted", "Monthly budget exhausted",
                    "This account's monthly model budget is spent; new turns are refused until the budget is raised "
                            + "or the month ends", Map.of("retryAfterSeconds", retryAfterSeconds));
        }
    }
}
