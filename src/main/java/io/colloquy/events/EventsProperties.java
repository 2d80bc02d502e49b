package io.colloquy.events;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.events.*}: live streams to widgets and agents.
 *
 * @param heartbeat            how often an idle stream gets a comment line, so proxies keep it open
 * @param streamTimeout        a stream is closed after this long (the client reconnects with Last-Event-ID)
 * @param maxStreamsPerTenant  open streams one tenant may hold on one instance; past it, 429
 * @param reconnectDelay       wait before the notification listener reconnects after losing the database
 */
@Validated
@ConfigurationProperties("colloquy.events")
record EventsProperties(
        @NotNull @DefaultValue("15s") Duration heartbeat,
        @NotNull @DefaultValue("30m") Duration streamTimeout,
        @Min(1) @Max(1_000_000) @DefaultValue("1000") int maxStreamsPerTenant,
        @NotNull @DefaultValue("1s") Duration reconnectDelay) {
}
