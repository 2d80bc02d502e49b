package io.colloquy.handoff;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.handoff.*}
 *
 * @param claimLease          a claim the agent does not act on for this long returns to the queue
 * @param leaseSweepInterval  how often expired claims are looked for
 * @param streakMargin        answers under threshold + this margin count towards a low-confidence streak
 * @param transcriptInline    packages of conversations up to this many messages carry the whole transcript;
 *                            longer ones carry a reference plus the most recent of these many
 */
@Validated
@ConfigurationProperties("colloquy.handoff")
record HandoffProperties(
        @NotNull @DefaultValue("5m") Duration claimLease,
        @NotNull @DefaultValue("5s") Duration leaseSweepInterval,
        @DecimalMin("0") @DecimalMax("0.5") @DefaultValue("0.15") double streakMargin,
        @Min(10) @Max(5000) @DefaultValue("200") int transcriptInline) {
}
