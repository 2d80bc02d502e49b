package io.colloquy.tenant;

import java.math.BigDecimal;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.tenant.*}: the settings a new tenant gets when its creator leaves them out, and how
 * long resolved API keys and tenant settings are cached per instance ({@code cache-for}; 0 turns the
 * cache off). Changes made on one instance reach the others within that time.
 */
@Validated
@ConfigurationProperties("colloquy.tenant")
record TenantProperties(@Valid @NotNull @DefaultValue Defaults defaults,
                        @NotNull @DefaultValue("10s") java.time.Duration cacheFor,
                        @Valid @NotNull @DefaultValue RateLimit rateLimit) {

    /**
     * API request rates, enforced across every instance (the buckets live in PostgreSQL); a tenant may
     * have its own. Each instance spends up to {@code localShare} of a bucket's burst before it settles
     * with the shared bucket, so the limit can be overshot by that much per instance, never more.
     *
     * @param enabled          whether requests are limited at all
     * @param tenantPerSecond  requests per second one tenant may make, across its keys
     * @param tenantBurst      requests a tenant may make at once after a quiet spell
     * @param keyPerSecond     requests per second one API key may make
     * @param keyBurst         the same burst per key
     * @param localShare       share of a burst an instance spends before settling with the shared bucket
     * @param settleEvery      an instance settles at least this often while requests come
     */
    record RateLimit(@DefaultValue("true") boolean enabled,
                     @Min(1) @DefaultValue("100") int tenantPerSecond,
                     @Min(1) @DefaultValue("200") int tenantBurst,
                     @Min(1) @DefaultValue("50") int keyPerSecond,
                     @Min(1) @DefaultValue("100") int keyBurst,
                     @DecimalMin("0") @DecimalMax("0.5") @DefaultValue("0.1") double localShare,
                     @NotNull @DefaultValue("100ms") java.time.Duration settleEvery) {
    }

    record Defaults(
            @DefaultValue("4000") @Min(1000) int contextTokenBudget,
            @DefaultValue("0.55") @DecimalMin("0") @DecimalMax("1") BigDecimal confidenceThreshold,
            @DefaultValue("0.8") @DecimalMin("0.01") @DecimalMax("1") BigDecimal softBudgetRatio,
            @DefaultValue("HANDOFF") HardLimitAction hardLimitAction,
            @DefaultValue("3") @Min(1) int lowConfidenceStreak,
            @DefaultValue List<String> policyTopics,
            @DefaultValue("true") boolean maskCardNumbers,
            @DefaultValue("false") boolean redactBeforeModel) {
    }
}
