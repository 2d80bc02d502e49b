package io.colloquy.tenant;

import java.math.BigDecimal;
import java.util.List;

/**
 * A tenant's effective settings (defaults already applied). Read on every turn.
 *
 * @param contextTokenBudget     most tokens one prompt to the model may hold
 * @param confidenceThreshold    a model answer less confident than this hands off to a human
 * @param model                  the model name sent to the provider
 * @param monthlyBudgetUsd       the month's spend limit, or null for none
 * @param softBudgetRatio        share of the budget at which the tenant is warned
 * @param hardLimitAction        what happens once the budget is spent
 * @param policyTopics           topics that always go to a human
 * @param sensitivePatterns      regular expressions masked wherever someone other than the customer reads
 * @param lowConfidenceStreak    this many low-confidence answers in a row hand off
 * @param webhookUrl             called when an async turn completes, or null
 * @param webhookSecretSet       whether the webhook has its HMAC key (sealed at rest; read only through
 *                               {@link Tenants#webhookSecret})
 * @param route                  the upstreams and models to try in order; empty: the deployment's route (with
 *                               {@code model}, if set, in place of its first model)
 * @param ownUpstreamKeys        the upstreams for which the tenant gave its own key (the keys themselves are
 *                               sealed and read only through {@link Tenants#upstreamKey})
 * @param requestsPerSecond      the tenant's API request rate (with {@code requestBurst}), or null for the
 *                               deployment's ({@code colloquy.tenant.rate-limit.*})
 * @param keyRequestsPerSecond   each of its API keys' rate (with {@code keyRequestBurst}), or null likewise
 * @param maskCardNumbers        whether payment card numbers are masked too (as {@code [card ending 1234]})
 * @param redactBeforeModel      whether what is masked is replaced before the text is stored, so the model,
 *                               the memory, the summaries and the transcript never hold it
 * @param retentionDays          conversations idle this many days are erased; null for the deployment's
 *                               ({@code colloquy.privacy.retention-days})
 */
public record TenantSettings(
        int contextTokenBudget,
        BigDecimal confidenceThreshold,
        String model,
        BigDecimal monthlyBudgetUsd,
        BigDecimal softBudgetRatio,
        HardLimitAction hardLimitAction,
        List<String> policyTopics,
        List<String> sensitivePatterns,
        int lowConfidenceStreak,
        String webhookUrl,
        boolean webhookSecretSet,
        List<RouteEntry> route,
        java.util.Set<String> ownUpstreamKeys,
        Integer requestsPerSecond,
        Integer requestBurst,
        Integer keyRequestsPerSecond,
        Integer keyRequestBurst,
        boolean maskCardNumbers,
        boolean redactBeforeModel,
        Integer retentionDays) {

    public TenantSettings {
        policyTopics = List.copyOf(policyTopics);
        sensitivePatterns = List.copyOf(sensitivePatterns);
        route = route == null ? List.of() : List.copyOf(route);
        ownUpstreamKeys = ownUpstreamKeys == null ? java.util.Set.of() : java.util.Set.copyOf(ownUpstreamKeys);
    }
}
