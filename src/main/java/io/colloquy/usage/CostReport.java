package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.colloquy.shared.UsdAmount;
import io.colloquy.tenant.HardLimitAction;

/** The shapes of the finance reports. Money is a decimal string in USD. */
public final class CostReport {

    private CostReport() {
    }

    /** One tenant's month: totals, breakdowns, the most expensive conversations, budget use, anomalies. */
    public record TenantMonth(UUID tenantId, String name, String month, long calls, long failedCalls,
                              long unpricedCalls, long promptTokens, long cachedPromptTokens, long completionTokens,
                              @UsdAmount BigDecimal costUsd, List<Line> byModel, List<Line> byPurpose,
                              List<Line> byDay, List<TopConversation> topConversations, Budget budget,
                              List<Anomaly> anomalies) {
    }

    /** Totals of one model, purpose or day. */
    public record Line(String key, long calls, long failedCalls, long unpricedCalls, long promptTokens,
                       long cachedPromptTokens, long completionTokens, @UsdAmount BigDecimal costUsd) {
    }

    public record TopConversation(UUID conversationId, long calls, long failedCalls, long unpricedCalls,
                                  long promptTokens, long cachedPromptTokens, long completionTokens,
                                  @UsdAmount BigDecimal costUsd) {
    }

    /**
     * @param usedRatio spent / budget (null without a budget)
     */
    public record Budget(@UsdAmount BigDecimal monthlyBudgetUsd, @UsdAmount BigDecimal spentUsd, BigDecimal usedRatio,
                         BigDecimal softBudgetRatio, boolean softThresholdReached, boolean hardLimitReached,
                         HardLimitAction hardLimitAction, List<Alert> alerts) {
    }

    public record Alert(String level, @UsdAmount BigDecimal spentUsd, Instant detectedAt) {
    }

    public record Anomaly(String kind, String subject, @UsdAmount BigDecimal observedUsd,
                          @UsdAmount BigDecimal baselineUsd, Instant detectedAt) {
    }

    /** Every tenant's month (a platform finance key), or the caller's own (a tenant finance key). */
    public record AllTenants(String month, @UsdAmount BigDecimal totalCostUsd, List<TenantSummary> tenants) {
    }

    /**
     * @param monthlyBudgetUsd the tenant's budget (null without one)
     * @param budgetUsedRatio  spent / budget (null without a budget)
     * @param anomalies        how many cost anomalies were flagged this month
     */
    public record TenantSummary(UUID tenantId, String name, long calls, long failedCalls, long unpricedCalls,
                                long promptTokens, long cachedPromptTokens, long completionTokens,
                                @UsdAmount BigDecimal costUsd, @UsdAmount BigDecimal monthlyBudgetUsd,
                                BigDecimal budgetUsedRatio, int anomalies) {
    }

    /** One conversation's calls and what they cost. */
    public record ConversationCosts(UUID conversationId, long callCount, long promptTokens, long completionTokens,
                                    @UsdAmount BigDecimal costUsd, List<Call> calls) {
    }

    public record Call(UUID id, Instant occurredAt, String purpose, String provider, String model, int attempt,
                       String outcome, String errorType, int promptTokens, int cachedPromptTokens,
                       int completionTokens, boolean estimated, @UsdAmount BigDecimal costUsd, boolean priced,
                       int latencyMs) {
    }
}
