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
                        @NotNull @DefaultValue("10s") java.time.Duration cacheFor) {

    record Defaults(
            @DefaultValue("4000") @Min(1000) int contextTokenBudget,
            @DefaultValue("0.55") @DecimalMin("0") @DecimalMax("1") BigDecimal confidenceThreshold,
            @DefaultValue("0.8") @DecimalMin("0.01") @DecimalMax("1") BigDecimal softBudgetRatio,
            @DefaultValue("HANDOFF") HardLimitAction hardLimitAction,
            @DefaultValue("3") @Min(1) int lowConfidenceStreak,
            @DefaultValue List<String> policyTopics) {
    }
}
