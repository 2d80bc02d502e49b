package io.colloquy.tenant;

import java.math.BigDecimal;
import java.util.List;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Settings given when a tenant is created or changed; a field left out (null) keeps its current
 * value or default. An empty string for {@code model}, {@code webhookUrl} or a negative budget
 * clears the value; an empty {@code route} returns to the deployment's. {@code upstreamKeys} sets the
 * tenant's own key per upstream (an empty string removes one); keys are never returned. A rate limit of
 * 0 returns to the deployment's, and so does a {@code retentionDays} of 0.
 */
public record SettingsChange(
        @Min(1000) @Max(1_000_000) Integer contextTokenBudget,
        @DecimalMin("0") @DecimalMax("1") BigDecimal confidenceThreshold,
        @Size(max = 100) String model,
        @DecimalMin("-1") @DecimalMax("1000000000") BigDecimal monthlyBudgetUsd,
        @DecimalMin("0.01") @DecimalMax("1") BigDecimal softBudgetRatio,
        HardLimitAction hardLimitAction,
        @Size(max = 50) List<@NotNull @Size(min = 1, max = 100) String> policyTopics,
        @Size(max = 20) List<@NotNull @Size(min = 1, max = 200) String> sensitivePatterns,
        @Min(1) @Max(20) Integer lowConfidenceStreak,
        @Size(max = 2000) @Pattern(regexp = "^$|^https?://.+", message = "must be an http(s) URL") String webhookUrl,
        @Size(min = 16, max = 200) String webhookSecret,
        @Size(max = 5) List<@NotNull @jakarta.validation.Valid RouteEntry> route,
        @Size(max = 10) java.util.Map<@Size(min = 1, max = 60) String, @NotNull @Size(max = 500) String> upstreamKeys,
        @Min(0) @Max(100_000) Integer requestsPerSecond,
        @Min(0) @Max(1_000_000) Integer requestBurst,
        @Min(0) @Max(100_000) Integer keyRequestsPerSecond,
        @Min(0) @Max(1_000_000) Integer keyRequestBurst,
        Boolean maskCardNumbers,
        Boolean redactBeforeModel,
        @Min(0) @Max(36500) Integer retentionDays) {

    static SettingsChange none() {
        return new SettingsChange(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }
}
