package io.colloquy.tenant;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.shared.SecretBox;

/**
 * Keeps the credentials tenants gave us sealed under the current key: at start, webhook secrets stored in
 * clear (before they were sealed) are sealed, and webhook secrets and upstream keys sealed with a previous
 * key ({@code colloquy.secrets.previous-keys}) are sealed again with the current one, so the previous key
 * can be dropped once an instance has started with the new one. Each tenant is changed under its row lock,
 * so instances starting together do it once. Logs counts and tenant ids only, never a credential.
 */
@Component
class StoredCredentials {

    private static final Logger log = LoggerFactory.getLogger(StoredCredentials.class);

    private final JdbcClient jdbc;
    private final TenantRepository repository;
    private final SecretBox secrets;
    private final Clock clock;
    private final TransactionTemplate tx;

    StoredCredentials(JdbcClient jdbc, TenantRepository repository, SecretBox secrets, Clock clock,
                      PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.repository = repository;
        this.secrets = secrets;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
    }

    @EventListener(ApplicationReadyEvent.class)
    void sealAtStart() {
        try {
            int sealed = sealAll();
            if (sealed > 0) {
                log.info("Sealed {} tenant(s)' stored credentials with the current colloquy.secrets key", sealed);
            }
        } catch (RuntimeException e) {
            log.warn("Sealing stored credentials failed (they stay readable; retried at the next start): {}", e.toString());
        }
    }

    /** Seals what needs it; answers how many tenants changed. */
    int sealAll() {
        List<UUID> candidates = jdbc.sql("""
                        SELECT id FROM tenants
                        WHERE webhook_secret IS NOT NULL OR upstream_keys <> '{}'::jsonb""")
                .query(UUID.class).list();
        if (!secrets.enabled()) {
            long clear = jdbc.sql("SELECT count(*) FROM tenants WHERE webhook_secret IS NOT NULL AND webhook_secret NOT LIKE 'v1:%'")
                    .query(Long.class).single();
            if (clear > 0) {
                log.warn("{} tenant(s) have a webhook secret stored in clear; set colloquy.secrets.key to seal them", clear);
            }
            return 0;
        }
        int changed = 0;
        for (UUID id : candidates) {
            Boolean done = tx.execute(s -> repository.lock(id).map(this::seal).orElse(false));
            if (Boolean.TRUE.equals(done)) {
                changed++;
            }
        }
        return changed;
    }

    private boolean seal(Tenant tenant) {
        boolean changed = false;
        String webhook = tenant.storedWebhookSecret();
        if (webhook != null && !SecretBox.isSealed(webhook)) {
            tenant.storedWebhookSecret(secrets.seal(webhook), clock.instant());
            changed = true;
        } else if (webhook != null && secrets.sealedWithOldKey(webhook)) {
            tenant.storedWebhookSecret(secrets.seal(secrets.open(webhook)), clock.instant());
            changed = true;
        }
        for (Map.Entry<String, String> key : Map.copyOf(tenant.sealedUpstreamKeys()).entrySet()) {
            if (secrets.sealedWithOldKey(key.getValue())) {
                tenant.upstreamKey(key.getKey(), secrets.seal(secrets.open(key.getValue())), clock.instant());
                changed = true;
            }
        }
        return changed;
    }
}
