package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Duration;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.usage.*}: when spend counts as anomalous. Both checks run as each call is recorded.
 *
 * @param spikeFactor             a day's spend above this many times the tenant's recent daily average is a spike
 * @param spikeBaselineDays       the days before that make the average
 * @param spikeMinimumHistoryDays no spike is called with fewer days of history than this
 * @param spikeFloorUsd           nor below this much spend in the day
 * @param outlierFactor           a conversation costing this many times the tenant's median conversation is an outlier
 * @param outlierMinimumConversations the median needs at least this many conversations (this month and last)
 * @param outlierFloorUsd         nor is a conversation below this cost an outlier
 * @param holdExpireAfter  a budget hold whose call never settled (its instance died) is released after this
 * @param baselineCacheFor        how long an instance reuses a computed baseline or median
 * @param totalsCacheFor          how long an instance reuses a tenant's spend today for the spike check,
 *                                adding its own calls meanwhile (another instance's show after this)
 * @param pricesCacheFor          how long an instance reuses a model's price versions (a price added on another
 *                                instance counts here after this)
 */
@Validated
@ConfigurationProperties("colloquy.usage")
record UsageProperties(
        @DecimalMin("1.1") @DefaultValue("3") double spikeFactor,
        @Min(1) @Max(90) @DefaultValue("14") int spikeBaselineDays,
        @Min(1) @Max(90) @DefaultValue("3") int spikeMinimumHistoryDays,
        @NotNull @DefaultValue("1.00") BigDecimal spikeFloorUsd,
        @DecimalMin("1.1") @DefaultValue("5") double outlierFactor,
        @Min(2) @DefaultValue("20") int outlierMinimumConversations,
        @NotNull @DefaultValue("0.10") BigDecimal outlierFloorUsd,
        @NotNull @DefaultValue("5m") Duration baselineCacheFor,
        @NotNull @DefaultValue("10m") Duration holdExpireAfter,
        @NotNull @DefaultValue("5s") Duration totalsCacheFor,
        @NotNull @DefaultValue("10s") Duration pricesCacheFor) {
}
