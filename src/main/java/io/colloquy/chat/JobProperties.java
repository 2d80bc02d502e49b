package io.colloquy.chat;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.jobs.*}: the durable queue of async turns.
 *
 * @param workersEnabled   whether this instance takes jobs (every instance may)
 * @param concurrency      jobs one instance runs at once
 * @param maxRunningPerTenant jobs of one tenant running at once across all instances, so a tenant's backlog leaves
 *                         slots for the others (tenants with due jobs are served fewest-running first)
 * @param pollInterval     how often an idle worker looks for due jobs
 * @param lease            a running job whose worker has not finished in this long is taken again
 * @param maxAttempts      failed model attempts before a job is dead (and the conversation handed off)
 * @param backoffInitial   wait after the first failed attempt; doubles each time, with jitter
 * @param backoffMax       longest wait between attempts
 * @param webhookAttempts  deliveries of a completion webhook before it is given up
 * @param webhookTimeout   how long one webhook delivery may take
 * @param webhookConcurrencyPerTenant deliveries to one tenant's receiver in flight at once per instance, so a
 *                         receiver that hangs delays only its own tenant
 */
@Validated
@ConfigurationProperties("colloquy.jobs")
record JobProperties(
        @DefaultValue("true") boolean workersEnabled,
        @Min(1) @Max(1000) @DefaultValue("16") int concurrency,
        @Min(1) @Max(1000) @DefaultValue("8") int maxRunningPerTenant,
        @NotNull @DefaultValue("250ms") Duration pollInterval,
        @NotNull @DefaultValue("60s") Duration lease,
        @Min(1) @Max(100) @DefaultValue("8") int maxAttempts,
        @NotNull @DefaultValue("2s") Duration backoffInitial,
        @NotNull @DefaultValue("5m") Duration backoffMax,
        @Min(1) @Max(50) @DefaultValue("5") int webhookAttempts,
        @NotNull @DefaultValue("5s") Duration webhookTimeout,
        @Min(1) @Max(100) @DefaultValue("2") int webhookConcurrencyPerTenant) {
}
