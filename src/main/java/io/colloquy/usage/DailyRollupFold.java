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
 * Folds the daily roll-up's shards of past days into one row each. A day is spread over shards while calls
 * are written to it, so concurrent calls of one tenant do not queue on one row; once the day is over, the
 * shards only make every report read more rows (16 per day, model and purpose), so they are summed into
 * shard 0. One statement, so a report sees either the shards or their sum, never both or neither; a late
 * call that lands on a folded day writes a shard again, folded on the next round. Safe on every instance.
 */
@Component
class DailyRollupFold {

    private static final Logger log = LoggerFactory.getLogger(DailyRollupFold.class);

    private final JdbcClient jdbc;
    private final Clock clock;

    DailyRollupFold(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Scheduled(cron = "0 7 * * * *", zone = "UTC")
    void foldPastDays() {
        try {
            int folded = foldBefore(LocalDate.now(clock.withZone(ZoneOffset.UTC)));
            if (folded > 0) {
                log.info("Folded {} daily roll-up shard rows of past days", folded);
            }
        } catch (RuntimeException e) {
            log.warn("Could not fold the daily roll-up's shards: {}", e.toString());
        }
    }

    /** Folds the shards of every day before {@code today}; the number of shard rows folded. */
    int foldBefore(LocalDate today) {
        return jdbc.sql("""
                        /* cross-tenant: daily-rollup-fold */
                        WITH shards AS (
                            DELETE FROM usage_daily WHERE day < :today AND shard <> 0
                            RETURNING tenant_id, day, model, purpose, calls, failed_calls, unpriced_calls, prompt_tokens,
                                      cached_prompt_tokens, completion_tokens, cost_usd
                        ), summed AS (
                            INSERT INTO usage_daily AS d (tenant_id, day, model, purpose, shard, calls, failed_calls,
                                unpriced_calls, prompt_tokens, cached_prompt_tokens, completion_tokens, cost_usd)
                            SELECT tenant_id, day, model, purpose, 0, sum(calls), sum(failed_calls), sum(unpriced_calls),
                                   sum(prompt_tokens), sum(cached_prompt_tokens), sum(completion_tokens), sum(cost_usd)
                            FROM shards GROUP BY tenant_id, day, model, purpose
                            ON CONFLICT (tenant_id, day, model, purpose, shard) DO UPDATE SET
                        """ + UsageLedger.addToRow("d") + """
                            RETURNING 1
                        )
                        SELECT count(*) FROM shards""")
                .param("today", today)
                .query(Integer.class).single();
    }
}
