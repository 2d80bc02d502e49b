package io.colloquy.usage;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the ledger's monthly partitions ahead of time (this month and the next two), so no row falls
 * into the default partition. Idempotent, so every instance may run it.
 */
@Component
class UsagePartitions {

    private static final Logger log = LoggerFactory.getLogger(UsagePartitions.class);

    private final JdbcClient jdbc;
    private final Clock clock;

    UsagePartitions(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Scheduled(cron = "0 17 3 * * *", zone = "UTC")
    void ensureAhead() {
        LocalDate month = LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1);
        for (int i = 0; i < 3; i++) {
            try {
                jdbc.sql("SELECT ensure_usage_partition(:month)").param("month", month.plusMonths(i)).query().singleRow();
            } catch (RuntimeException e) {
                // two instances creating the same partition at once: the loser's error is harmless
                log.warn("Could not create usage partition for {}: {}", month.plusMonths(i), e.getMessage());
            }
        }
    }
}
