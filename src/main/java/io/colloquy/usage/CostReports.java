package io.colloquy.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;

/**
 * Monthly finance reports, read from the daily and per-conversation roll-ups (kept with every ledger
 * write), so a report's cost does not grow with the number of calls. Months are calendar months in UTC.
 */
@Service
public class CostReports {

    private static final int TOP_CONVERSATIONS = 10;
    private static final String TOTALS = """
            coalesce(sum(calls), 0) AS calls, coalesce(sum(failed_calls), 0) AS failed_calls,
            coalesce(sum(unpriced_calls), 0) AS unpriced_calls, coalesce(sum(prompt_tokens), 0) AS prompt_tokens,
            coalesce(sum(cached_prompt_tokens), 0) AS cached_prompt_tokens,
            coalesce(sum(completion_tokens), 0) AS completion_tokens, coalesce(sum(cost_usd), 0) AS cost_usd""";

    private final JdbcClient jdbc;
    private final Tenants tenants;

    CostReports(JdbcClient jdbc, Tenants tenants) {
        this.jdbc = jdbc;
        this.tenants = tenants;
    }

    @Transactional(readOnly = true)
    public CostReport.TenantMonth tenantMonth(TenantId tenantId, YearMonth month) {
        var tenant = tenants.find(tenantId).orElseThrow(() -> new NotFoundException("Tenant", tenantId));
        LocalDate from = month.atDay(1);
        LocalDate to = month.plusMonths(1).atDay(1);
        CostReport.Line totals = jdbc.sql("SELECT 'total' AS key, " + TOTALS
                        + " FROM usage_daily WHERE tenant_id = :tenant AND day >= :from AND day < :to")
                .params(params(tenantId, from, to)).query(CostReports::line).single();
        List<CostReport.Line> byModel = breakdown("model", tenantId, from, to);
        List<CostReport.Line> byPurpose = breakdown("purpose", tenantId, from, to);
        List<CostReport.Line> byDay = breakdown("day", tenantId, from, to);
        List<CostReport.TopConversation> top = jdbc.sql("""
                        SELECT conversation_id, calls, failed_calls, unpriced_calls, prompt_tokens, cached_prompt_tokens,
                               completion_tokens, cost_usd
                        FROM usage_conversation_monthly WHERE tenant_id = :tenant AND month = :from
                        ORDER BY cost_usd DESC, conversation_id LIMIT :limit""")
                .params(params(tenantId, from, to)).param("limit", TOP_CONVERSATIONS)
                .query((rs, n) -> new CostReport.TopConversation(rs.getObject("conversation_id", UUID.class),
                        rs.getLong("calls"), rs.getLong("failed_calls"), rs.getLong("unpriced_calls"),
                        rs.getLong("prompt_tokens"), rs.getLong("cached_prompt_tokens"), rs.getLong("completion_tokens"),
                        rs.getBigDecimal("cost_usd").stripTrailingZeros()))
                .list();
        return new CostReport.TenantMonth(tenantId.value(), tenant.name(), month.toString(), totals.calls(),
                totals.failedCalls(), totals.unpricedCalls(), totals.promptTokens(), totals.cachedPromptTokens(),
                totals.completionTokens(), totals.costUsd(), byModel, byPurpose, byDay, top,
                budget(tenantId, tenant.settings(), from, totals.costUsd()), anomalies(tenantId, from));
    }

    /** Every tenant's totals for the month ({@code only} limits it to one tenant). */
    @Transactional(readOnly = true)
    public CostReport.AllTenants allTenants(YearMonth month, TenantId only) {
        LocalDate from = month.atDay(1);
        LocalDate to = month.plusMonths(1).atDay(1);
        Map<UUID, CostReport.Line> totals = new HashMap<>();
        jdbc.sql("/* cross-tenant: all-tenants-report */ SELECT tenant_id::text AS key, " + TOTALS
                        + " FROM usage_daily WHERE day >= :from AND day < :to"
                        + (only == null ? "" : " AND tenant_id = :tenant") + " GROUP BY tenant_id")
                .params(params(only, from, to))
                .query(CostReports::line).list()
                .forEach(l -> totals.put(UUID.fromString(l.key()), l));
        Map<UUID, Integer> anomalyCounts = new HashMap<>();
        jdbc.sql("""
                        /* cross-tenant: all-tenants-report */
                        SELECT tenant_id, count(*) AS n FROM cost_anomalies WHERE month = :from GROUP BY tenant_id""")
                .param("from", from)
                .query((rs, n) -> anomalyCounts.put(rs.getObject("tenant_id", UUID.class), rs.getInt("n"))).list();
        List<CostReport.TenantSummary> rows = new ArrayList<>();
        BigDecimal grand = BigDecimal.ZERO;
        for (Tenants.TenantView tenant : only == null ? tenants.all()
                : tenants.find(only).map(List::of).orElse(List.of())) {
            CostReport.Line t = totals.getOrDefault(tenant.id(), empty(tenant.id().toString()));
            BigDecimal budget = tenant.settings().monthlyBudgetUsd();
            rows.add(new CostReport.TenantSummary(tenant.id(), tenant.name(), t.calls(), t.failedCalls(),
                    t.unpricedCalls(), t.promptTokens(), t.cachedPromptTokens(), t.completionTokens(), t.costUsd(),
                    budget, ratio(t.costUsd(), budget), anomalyCounts.getOrDefault(tenant.id(), 0)));
            grand = grand.add(t.costUsd());
        }
        rows.sort((a, b) -> b.costUsd().compareTo(a.costUsd()));
        return new CostReport.AllTenants(month.toString(), grand.stripTrailingZeros(), rows);
    }

    /** One conversation's calls; empty when it made none. */
    @Transactional(readOnly = true)
    public CostReport.ConversationCosts conversation(TenantId tenantId, ConversationId conversationId) {
        List<CostReport.Call> calls = jdbc.sql("""
                        SELECT id, occurred_at, purpose, provider, model, attempt, outcome, error_type, prompt_tokens,
                               cached_prompt_tokens, completion_tokens, tokens_estimated, cost_usd, priced, latency_ms
                        FROM usage_ledger WHERE tenant_id = :tenant AND conversation_id = :conversation
                        ORDER BY occurred_at, attempt""")
                .param("tenant", tenantId.value()).param("conversation", conversationId.value())
                .query((rs, n) -> new CostReport.Call(rs.getObject("id", UUID.class),
                        rs.getTimestamp("occurred_at").toInstant(), rs.getString("purpose"), rs.getString("provider"),
                        rs.getString("model"), rs.getInt("attempt"), rs.getString("outcome"),
                        rs.getString("error_type"), rs.getInt("prompt_tokens"), rs.getInt("cached_prompt_tokens"),
                        rs.getInt("completion_tokens"), rs.getBoolean("tokens_estimated"),
                        rs.getBigDecimal("cost_usd").stripTrailingZeros(), rs.getBoolean("priced"),
                        rs.getInt("latency_ms")))
                .list();
        BigDecimal cost = calls.stream().map(CostReport.Call::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new CostReport.ConversationCosts(conversationId.value(), calls.size(),
                calls.stream().mapToLong(CostReport.Call::promptTokens).sum(),
                calls.stream().mapToLong(CostReport.Call::completionTokens).sum(), cost.stripTrailingZeros(), calls);
    }

    private List<CostReport.Line> breakdown(String column, TenantId tenantId, LocalDate from, LocalDate to) {
        return jdbc.sql("SELECT " + column + "::text AS key, " + TOTALS
                        + " FROM usage_daily WHERE tenant_id = :tenant AND day >= :from AND day < :to GROUP BY "
                        + column + " ORDER BY " + (column.equals("day") ? "day" : "cost_usd DESC, key"))
                .params(params(tenantId, from, to)).query(CostReports::line).list();
    }

    private CostReport.Budget budget(TenantId tenantId, TenantSettings settings, LocalDate month, BigDecimal spent) {
        List<CostReport.Alert> alerts = jdbc.sql("""
                        SELECT level, spent_usd, detected_at FROM budget_alerts
                        WHERE tenant_id = :tenant AND month = :month ORDER BY detected_at""")
                .param("tenant", tenantId.value()).param("month", month)
                .query((rs, n) -> new CostReport.Alert(rs.getString("level"),
                        rs.getBigDecimal("spent_usd").stripTrailingZeros(), rs.getTimestamp("detected_at").toInstant()))
                .list();
        BigDecimal budget = settings.monthlyBudgetUsd();
        boolean soft = budget != null && spent.compareTo(budget.multiply(settings.softBudgetRatio())) >= 0;
        boolean hard = budget != null && spent.compareTo(budget) >= 0;
        return new CostReport.Budget(budget, spent, ratio(spent, budget), settings.softBudgetRatio(), soft, hard,
                settings.hardLimitAction(), alerts);
    }

    private List<CostReport.Anomaly> anomalies(TenantId tenantId, LocalDate month) {
        return jdbc.sql("""
                        SELECT kind, subject, observed_usd, baseline_usd, detected_at FROM cost_anomalies
                        WHERE tenant_id = :tenant AND month = :month ORDER BY detected_at""")
                .param("tenant", tenantId.value()).param("month", month)
                .query((rs, n) -> new CostReport.Anomaly(rs.getString("kind"), rs.getString("subject"),
                        rs.getBigDecimal("observed_usd").stripTrailingZeros(),
                        rs.getBigDecimal("baseline_usd").setScale(6, RoundingMode.HALF_UP).stripTrailingZeros(),
                        rs.getTimestamp("detected_at").toInstant()))
                .list();
    }

    private static Map<String, Object> params(TenantId tenantId, LocalDate from, LocalDate to) {
        Map<String, Object> p = new HashMap<>();
        p.put("from", from);
        p.put("to", to);
        if (tenantId != null) {
            p.put("tenant", tenantId.value());
        }
        return p;
    }

    private static BigDecimal ratio(BigDecimal spent, BigDecimal budget) {
        return budget == null || budget.signum() == 0 ? null : spent.divide(budget, 4, RoundingMode.HALF_UP);
    }

    private static CostReport.Line empty(String key) {
        return new CostReport.Line(key, 0, 0, 0, 0, 0, 0, BigDecimal.ZERO);
    }

    private static CostReport.Line line(ResultSet rs, int row) throws SQLException {
        return new CostReport.Line(rs.getString("key"), rs.getLong("calls"), rs.getLong("failed_calls"),
                rs.getLong("unpriced_calls"), rs.getLong("prompt_tokens"), rs.getLong("cached_prompt_tokens"),
                rs.getLong("completion_tokens"), rs.getBigDecimal("cost_usd").stripTrailingZeros());
    }
}
