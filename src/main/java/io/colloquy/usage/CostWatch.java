package io.colloquy.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.Ids;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;

/**
 * Looks at spend the moment a call is recorded (right after the ledger's transaction): the tenant's budget
 * thresholds, a day far above the tenant's recent average, and a conversation far above its typical
 * cost. Each finding is stored once (unique keys, so instances agree), logged as an event, and counted
 * in a meter, so an anomaly is visible within the call that caused it.
 */
@Component
class CostWatch {

    private static final Logger log = LoggerFactory.getLogger(CostWatch.class);

    private final JdbcClient jdbc;
    private final Tenants tenants;
    private final SpendGuard spendGuard;
    private final UsageProperties properties;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Cached> baselines = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> budgetRatios = new ConcurrentHashMap<>();

    private record Cached(Optional<BigDecimal> value, int sample, long expiresAtNanos) {
    }

    CostWatch(JdbcClient jdbc, Tenants tenants, SpendGuard spendGuard, UsageProperties properties,
              MeterRegistry meters, Clock clock) {
        this.jdbc = jdbc;
        this.tenants = tenants;
        this.spendGuard = spendGuard;
        this.properties = properties;
        this.meters = meters;
        this.clock = clock;
    }

    /**
     * Checks a call just recorded (after its transaction committed, so the totals read include it):
     * {@code conversationMonthUsd} is its conversation's month total with it, as the write returned it.
     * A failing check is logged and never fails the call.
     */
    void afterRecorded(ModelCall call, BigDecimal cost, BigDecimal conversationMonthUsd) {
        try {
            TenantId tenantId = call.tenantId();
            LocalDate day = LocalDate.ofInstant(call.occurredAt(), ZoneOffset.UTC);
            LocalDate month = day.withDayOfMonth(1);
            TenantSettings settings = tenants.settings(tenantId);
            if (settings.monthlyBudgetUsd() != null && settings.monthlyBudgetUsd().signum() > 0) {
                checkBudget(tenantId, month, settings);
            }
            checkDailySpike(tenantId, day, month, cost);
            if (conversationMonthUsd != null && cost.signum() > 0) {
                checkConversation(tenantId, call.conversationId(), month, conversationMonthUsd);
            }
        } catch (RuntimeException e) {
            log.warn("Cost checks for call {} failed: {}", call.callId(), e.toString());
        }
    }

    private void checkBudget(TenantId tenantId, LocalDate month, TenantSettings settings) {
        BigDecimal budget = settings.monthlyBudgetUsd();
        BigDecimal spent = spendGuard.spentIn(tenantId, month);
        budgetRatios.computeIfAbsent(tenantId.toString(), t -> {
            AtomicReference<Double> ratio = new AtomicReference<>(0.0);
            Gauge.builder("colloquy.budget.used.ratio", ratio, AtomicReference::get)
                    .description("Share of the monthly budget spent").tag("tenant", t).register(meters);
            return ratio;
        }).set(spent.divide(budget, 6, RoundingMode.HALF_UP).doubleValue());
        if (spent.compareTo(budget.multiply(settings.softBudgetRatio())) >= 0) {
            alert(tenantId, month, "SOFT", spent, budget);
        }
        if (spent.compareTo(budget) >= 0) {
            alert(tenantId, month, "HARD", spent, budget);
        }
    }

    private void alert(TenantId tenantId, LocalDate month, String level, BigDecimal spent, BigDecimal budget) {
        int inserted = jdbc.sql("""
                        INSERT INTO budget_alerts (tenant_id, month, level, spent_usd, budget_usd, detected_at)
                        VALUES (:tenant, :month, :level, :spent, :budget, :now) ON CONFLICT DO NOTHING""")
                .param("tenant", tenantId.value()).param("month", month).param("level", level).param("spent", spent)
                .param("budget", budget).param("now", Timestamp.from(clock.instant()))
                .update();
        if (inserted == 1) {
            log.warn("BUDGET_{}_LIMIT tenant={} month={} spentUsd={} budgetUsd={}", level, tenantId, month,
                    spent.stripTrailingZeros().toPlainString(), budget.toPlainString());
            Counter.builder("colloquy.budget.alerts").description("Budget thresholds crossed")
                    .tags("tenant", tenantId.toString(), "level", level).register(meters).increment();
        }
    }

    private void checkDailySpike(TenantId tenantId, LocalDate day, LocalDate month, BigDecimal cost) {
        Cached baseline = cached("spike:" + tenantId + ":" + day, () -> {
            var row = jdbc.sql("""
                            SELECT count(*) AS days, avg(total) AS average FROM (
                                SELECT day, sum(cost_usd) AS total FROM usage_daily
                                WHERE tenant_id = :tenant AND day >= :from AND day < :day GROUP BY day) d""")
                    .param("tenant", tenantId.value()).param("from", day.minusDays(properties.spikeBaselineDays()))
                    .param("day", day)
                    .query((rs, n) -> new Object[] {rs.getInt("days"), rs.getBigDecimal("average")}).single();
            return new Cached(Optional.ofNullable((BigDecimal) row[1]), (Integer) row[0], 0);
        });
        if (baseline.sample() < properties.spikeMinimumHistoryDays() || baseline.value().isEmpty()) {
            return;
        }
        BigDecimal today = todaySoFar(tenantId, day, cost);
        BigDecimal threshold = baseline.value().get().multiply(BigDecimal.valueOf(properties.spikeFactor()))
                .max(properties.spikeFloorUsd());
        if (today.compareTo(threshold) > 0) {
            anomaly(tenantId, "DAILY_SPEND_SPIKE", day.toString(), month, today, baseline.value().get());
        }
    }

    private void checkConversation(TenantId tenantId, ConversationId conversationId, LocalDate month,
                                   BigDecimal conversationCost) {
        if (conversationCost.compareTo(properties.outlierFloorUsd()) <= 0) {
            return;
        }
        Cached typical = cached("outlier:" + tenantId + ":" + month, () -> {
            var row = jdbc.sql("""
                            SELECT count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY cost_usd) AS median
                            FROM usage_conversation_monthly
                            WHERE tenant_id = :tenant AND month IN (:month, :previous)""")
                    .param("tenant", tenantId.value()).param("month", month).param("previous", month.minusMonths(1))
                    .query((rs, n) -> new Object[] {rs.getInt("n"), rs.getBigDecimal("median")}).single();
            return new Cached(Optional.ofNullable((BigDecimal) row[1]), (Integer) row[0], 0);
        });
        if (typical.sample() < properties.outlierMinimumConversations() || typical.value().isEmpty()
                || typical.value().get().signum() == 0) {
            return;
        }
        BigDecimal median = typical.value().get();
        if (conversationCost.compareTo(median.multiply(BigDecimal.valueOf(properties.outlierFactor()))) > 0) {
            anomaly(tenantId, "CONVERSATION_COST_OUTLIER", conversationId.toString(), month, conversationCost, median);
        }
    }

    private void anomaly(TenantId tenantId, String kind, String subject, LocalDate month, BigDecimal observed,
                         BigDecimal baseline) {
        int inserted = jdbc.sql("""
                        INSERT INTO cost_anomalies (id, tenant_id, kind, subject, month, observed_usd, baseline_usd, detected_at)
                        VALUES (:id, :tenant, :kind, :subject, :month, :observed, :baseline, :now)
                        ON CONFLICT (tenant_id, kind, subject) DO UPDATE SET observed_usd = excluded.observed_usd""")
                .param("id", Ids.newId()).param("tenant", tenantId.value()).param("kind", kind)
                .param("subject", subject).param("month", month).param("observed", observed).param("baseline", baseline)
                .param("now", Timestamp.from(clock.instant()))
                .update();
        if (inserted == 1 && !seen(tenantId, kind, subject)) {
            log.warn("COST_ANOMALY kind={} tenant={} subject={} observedUsd={} baselineUsd={}", kind, tenantId, subject,
                    observed.stripTrailingZeros().toPlainString(), baseline.stripTrailingZeros().toPlainString());
            Counter.builder("colloquy.cost.anomalies").description("Cost anomalies detected")
                    .tags("tenant", tenantId.toString(), "kind", kind).register(meters).increment();
        }
    }

    /** A tenant's spend today as last read, plus what this instance recorded since. */
    private static final class RunningTotal {
        private BigDecimal value;
        private final long expiresAtNanos;

        RunningTotal(BigDecimal value, long expiresAtNanos) {
            this.value = value;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    private final Map<String, RunningTotal> todays = new ConcurrentHashMap<>();

    /**
     * The tenant's spend today including a call just recorded: read from the roll-ups at most every
     * {@code colloquy.usage.totals-cache-for}, with this instance's own calls added in between, so one
     * instance sees every call at once and another instance's calls within that time.
     */
    private BigDecimal todaySoFar(TenantId tenantId, LocalDate day, BigDecimal cost) {
        String key = tenantId + ":" + day;
        long now = System.nanoTime();
        RunningTotal running = todays.get(key);
        if (running != null && running.expiresAtNanos - now > 0) {
            synchronized (running) {
                running.value = running.value.add(cost);
                return running.value;
            }
        }
        BigDecimal read = jdbc.sql("SELECT coalesce(sum(cost_usd), 0) FROM usage_daily WHERE tenant_id = :tenant AND day = :day")
                .param("tenant", tenantId.value()).param("day", day).query(BigDecimal.class).single();
        if (todays.size() > 100_000) {
            todays.clear();
        }
        todays.put(key, new RunningTotal(read, now + properties.totalsCacheFor().toNanos()));
        return read;
    }

    /** Logged and counted once per instance; the stored row keeps the latest observed value. */
    private final Map<String, Boolean> announced = new ConcurrentHashMap<>();

    private boolean seen(TenantId tenantId, String kind, String subject) {
        if (announced.size() > 100_000) {
            announced.clear();
        }
        return announced.putIfAbsent(tenantId + ":" + kind + ":" + subject, Boolean.TRUE) != null;
    }

    private Cached cached(String key, java.util.function.Supplier<Cached> compute) {
        long now = System.nanoTime();
        Cached hit = baselines.get(key);
        if (hit != null && hit.expiresAtNanos() - now > 0) {
            return hit;
        }
        Cached fresh = compute.get();
        Cached stored = new Cached(fresh.value(), fresh.sample(), now + properties.baselineCacheFor().toNanos());
        if (baselines.size() > 100_000) {
            baselines.clear();
        }
        baselines.put(key, stored);
        return stored;
    }
}
