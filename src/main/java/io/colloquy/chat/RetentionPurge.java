package io.colloquy.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import io.colloquy.conversation.Conversations;
import io.colloquy.privacy.PrivacyProperties;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.Tenants;

/**
 * Retention, on a schedule ({@code colloquy.privacy.purge-interval}): each tenant's conversations idle
 * longer than its retention period are erased (as a {@code DELETE} would), and idempotency records older
 * than {@code idempotency-ttl} are forgotten. Every statement is scoped to one tenant. Instances may run it
 * at once: a row is deleted once, whoever gets to it.
 */
@Component
class RetentionPurge {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    private final Tenants tenants;
    private final Conversations conversations;
    private final IdempotencyStore idempotency;
    private final PrivacyProperties properties;
    private final Clock clock;

    RetentionPurge(Tenants tenants, Conversations conversations, IdempotencyStore idempotency,
                   PrivacyProperties properties, Clock clock) {
        this.tenants = tenants;
        this.conversations = conversations;
        this.idempotency = idempotency;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "${colloquy.privacy.purge-interval:1h}",
            fixedDelayString = "${colloquy.privacy.purge-interval:1h}")
    void scheduled() {
        try {
            purge();
        } catch (RuntimeException e) {
            log.warn("Retention purge failed, next run in {}: {}", properties.purgeInterval(), e.toString());
        }
    }

    /** One pass over every tenant; returns the conversations erased. */
    int purge() {
        Instant now = clock.instant();
        int erased = 0;
        for (var tenant : tenants.all()) {
            TenantId tenantId = tenant.tenantId();
            idempotency.forgetOlderThan(tenantId, now.minus(properties.idempotencyTtl()));
            Integer own = tenant.settings().retentionDays();
            int days = own != null ? own : properties.retentionDays();
            if (days > 0) {
                int n = conversations.eraseIdleSince(tenantId, now.minus(Duration.ofDays(days)), properties.purgeBatch());
                if (n > 0) {
                    log.info("RETENTION_ERASED tenant={} conversations={} idleDays={}", tenantId, n, days);
                }
                erased += n;
            }
        }
        return erased;
    }
}
