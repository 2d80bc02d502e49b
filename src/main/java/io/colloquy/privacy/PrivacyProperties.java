package io.colloquy.privacy;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.privacy.*}.
 *
 * @param patternTimeLimit  longest one pattern may take on one text; past it the text is withheld whole
 * @param retentionDays     conversations idle this many days are erased, for tenants without their own
 *                          {@code retentionDays}; 0 keeps them
 * @param purgeInterval     how often retention and idempotency expiry run
 * @param purgeBatch        most conversations one purge erases per tenant (the rest wait for the next run)
 * @param idempotencyTtl    how long an {@code Idempotency-Key} is remembered
 */
@Validated
@ConfigurationProperties("colloquy.privacy")
public record PrivacyProperties(@NotNull @DefaultValue("100ms") Duration patternTimeLimit,
                                @Min(0) @Max(36500) @DefaultValue("0") int retentionDays,
                                @NotNull @DefaultValue("1h") Duration purgeInterval,
                                @Min(1) @Max(100_000) @DefaultValue("500") int purgeBatch,
                                @NotNull @DefaultValue("24h") Duration idempotencyTtl) {
}
