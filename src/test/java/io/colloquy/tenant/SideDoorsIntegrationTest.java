package io.colloquy.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.events.EventHub;
import io.colloquy.events.Notifications;
import io.colloquy.shared.SecretBox;
import io.colloquy.shared.TenantId;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.ServiceTestBase;

/**
 * The side doors of issue 11 on the real HTTP path and the real database: webhook addresses refused when
 * set, revocation that bites at once (and on other instances when told), webhook secrets sealed at rest,
 * and keys that expire. The test profile allows webhooks to 127.0.0.1 only (for the fake receivers).
 */
class SideDoorsIntegrationTest extends ServiceTestBase {

    @Autowired
    DataSource dataSource;
    @Autowired
    Tenants tenants;
    @Autowired
    SecretBox secretBox;
    @Autowired
    StoredCredentials storedCredentials;
    @Autowired
    ApiKeyRepository keyRepository;
    @Autowired
    TenantRepository tenantRepository;
    @Autowired
    AdminKeyProperties adminKeyProperties;
    @Autowired
    TenantProperties tenantProperties;
    @Autowired
    Notifications notifications;
    @Autowired
    EventHub eventHub;

    // ---- webhook addresses

    @ParameterizedTest
    @ValueSource(strings = {
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.2:5432",
            "http://localhost:5432/",
            "http://[::1]/",
            "http://10.0.0.1/",
            "http://172.16.0.1/",
            "http://192.168.0.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://224.0.0.1/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:127.0.0.2]/",
            "http://[::ffff:10.0.0.1]/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://user:pass@hooks.example.com/",
            "http://hooks.example.com:99999999999/",
            "http://exa mple.com/",
    })
    void aWebhookUrlThatPointsInsideOrCannotBeUsedIsRefusedWhenSet(String url) {
        var created = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "hooks", "settings",
                Map.of("webhookUrl", url, "webhookSecret", "whsec-0123456789abcdef")));
        assertThat(created.status()).as(created.text()).isEqualTo(400);
        assertThat(created.contentType()).startsWith("application/problem+json");
        assertThat(created.body().get("detail").asString()).startsWith("webhookUrl: ");

        var tenant = fixtures.tenant(Map.of("webhookUrl", "https://hooks.example.com/colloquy",
                "webhookSecret", "whsec-0123456789abcdef"));
        var patched = http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("webhookUrl", url)));
        assertThat(patched.status()).as(patched.text()).isEqualTo(400);
        assertThat(patched.body().get("detail").asString()).startsWith("webhookUrl: ");
        assertThat(http.get("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY).body().get("settings")
                .get("webhookUrl").asString()).isEqualTo("https://hooks.example.com/colloquy");
    }

    @Test
    void theRefusalSaysWhy() {
        var tenant = fixtures.tenant();
        Map<String, String> reasons = Map.of(
                "http://169.254.169.254/", "cloud metadata",
                "http://localhost/", "loopback",
                "http://10.0.0.1/", "private",
                "http://0177.0.0.1/", "read as 127.0.0.1",
                "http://2130706433/", "read as 127.0.0.1",
                "http://user:pass@hooks.example.com/", "credentials",
                "http://[::ffff:10.0.0.1]/", "private");
        reasons.forEach((url, reason) -> {
            var patched = http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                    Map.of("settings", Map.of("webhookUrl", url, "webhookSecret", "whsec-0123456789abcdef")));
            assertThat(patched.status()).isEqualTo(400);
            assertThat(patched.body().get("detail").asString()).as(url).contains(reason);
            assertThat(patched.text()).as("the secret is never echoed").doesNotContain("whsec-0123456789abcdef");
        });
    }

    @Test
    void theAllowListLetsTheFakeReceiverOnLoopbackThroughAndNothingElse() {
        var allowed = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "hooks", "settings",
                Map.of("webhookUrl", "http://127.0.0.1:9/hook", "webhookSecret", "whsec-0123456789abcdef")));
        assertThat(allowed.status()).as(allowed.text()).isEqualTo(201);
        var other = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "hooks", "settings",
                Map.of("webhookUrl", "http://127.0.0.53:9/hook", "webhookSecret", "whsec-0123456789abcdef")));
        assertThat(other.status()).isEqualTo(400);
    }

    // ---- revocation

    /**
     * The revocation's commit is held back (a row lock taken here) while a request presents the key; before
     * the fix the request cached the key as valid in that window and it went on working after the revocation.
     */
    @Test
    void aRevokedKeyIsRefusedAtOnceOnTheInstanceThatRevokedIt() throws Exception {
        var tenant = fixtures.tenant();
        UUID keyId = keyId(tenant.id(), "test-chat");
        assertThat(http.post("/api/v1/conversations", tenant.chatKey(), Map.of()).status()).isEqualTo(201);

        CompletableFuture<Http.Response> revocation;
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement s = lock.prepareStatement("SELECT 1 FROM api_keys WHERE id = ? FOR UPDATE")) {
                s.setObject(1, keyId);
                s.executeQuery().close();
            }
            revocation = CompletableFuture.supplyAsync(() -> http.delete("/api/v1/api-keys/" + keyId, Fixtures.ADMIN_KEY));
            await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("""
                            SELECT count(*) FROM pg_stat_activity
                            WHERE datname = current_database() AND wait_event_type = 'Lock'
                              AND query ILIKE '%update api_keys%'""").query(Long.class).single() > 0);
            // the revocation is written but not committed: the key still works, and is looked up now
            assertThat(http.post("/api/v1/conversations", tenant.chatKey(), Map.of()).status()).isEqualTo(201);
            lock.rollback();
        }
        assertThat(revocation.get(20, TimeUnit.SECONDS).status()).isEqualTo(204);

        var refused = http.post("/api/v1/conversations", tenant.chatKey(), Map.of());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body().get("detail").asString()).contains("not valid");
    }

    @Test
    void aRevocationAnnouncedByAnotherInstanceEvictsTheCachedKey() {
        var tenant = fixtures.tenant();
        UUID keyId = keyId(tenant.id(), "test-chat");
        assertThat(http.post("/api/v1/conversations", tenant.chatKey(), Map.of()).status()).isEqualTo(201);

        // another instance revokes it: its row changes, and this instance still has the key cached
        jdbc.sql("UPDATE api_keys SET revoked_at = now() WHERE id = :id").param("id", keyId).update();
        assertThat(http.post("/api/v1/conversations", tenant.chatKey(), Map.of()).status())
                .as("cached for colloquy.tenant.cache-for (10 s)").isEqualTo(201);

        // ... and tells the others, as ApiKeys.revoke does
        jdbc.sql("SELECT pg_notify('colloquy_events', :message)").param("message", "api-key-revoked|" + keyId)
                .query().singleRow();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20)).until(() ->
                http.post("/api/v1/conversations", tenant.chatKey(), Map.of()).status() == 401);
    }

    // ---- expiry

    @Test
    void aKeyMayCarryAnExpiryInTheFutureThatListingShows() {
        var tenant = fixtures.tenant();
        Instant in30Days = Instant.now().plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        var issued = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT"), "label", "expiring", "expiresAt", in30Days.toString()));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        assertThat(Instant.parse(issued.body().get("expiresAt").asString())).isEqualTo(in30Days);
        assertThat(http.post("/api/v1/conversations", issued.body().get("key").asString(), Map.of()).status()).isEqualTo(201);

        var listed = http.get("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY).body();
        var expiring = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(k -> "expiring".equals(k.get("label").asString())).findFirst().orElseThrow();
        assertThat(Instant.parse(expiring.get("expiresAt").asString())).isEqualTo(in30Days);
        assertThat(expiring.get("expired").asBoolean()).isFalse();
        var forever = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(k -> "test-chat".equals(k.get("label").asString())).findFirst().orElseThrow();
        assertThat(forever.get("expiresAt").isNull()).isTrue();
    }

    @Test
    void anExpiryInThePastOrNotAnInstantIsRefused() {
        var tenant = fixtures.tenant();
        var past = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT"), "expiresAt", Instant.now().minusSeconds(60).toString()));
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.body().get("detail").asString()).contains("expiresAt must be in the future");
        var garbage = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT"), "expiresAt", "next tuesday"));
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.contentType()).startsWith("application/problem+json");
        var platform = http.post("/api/v1/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("FINANCE"), "expiresAt", Instant.now().minusSeconds(1).toString()));
        assertThat(platform.status()).isEqualTo(400);
    }

    @Test
    void anExpiredKeyAnswers401SayingItExpired() {
        var tenant = fixtures.tenant();
        var issued = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT"), "expiresAt", Instant.now().plus(Duration.ofHours(1)).toString()));
        UUID id = UUID.fromString(issued.body().get("id").asString());
        // its deadline passes (set in the database: no waiting for a clock)
        jdbc.sql("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = :id").param("id", id).update();

        var refused = http.post("/api/v1/conversations", issued.body().get("key").asString(), Map.of());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(refused.body().get("type").asString()).endsWith("/unauthorized");
        assertThat(refused.body().get("detail").asString()).contains("expired");
        var listed = http.get("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY).body();
        assertThat(java.util.stream.StreamSupport.stream(listed.spliterator(), false)
                .filter(k -> id.toString().equals(k.get("id").asString())).findFirst().orElseThrow()
                .get("expired").asBoolean()).isTrue();
    }

    /** A key resolved (and cached) before its deadline is refused once the clock passes it. */
    @Test
    void aCachedKeyStopsAtItsDeadline() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        ApiKeys keys = new ApiKeys(keyRepository, tenantRepository, adminKeyProperties, tenantProperties, clock,
                notifications, eventHub);
        var tenant = fixtures.tenant();
        Instant deadline = now.get().plus(Duration.ofMinutes(5));
        var issued = new org.springframework.transaction.support.TransactionTemplate(transactions).execute(s ->
                keys.issueForTenant(TenantId.of(tenant.id()), Set.of(Role.CHAT), "deadline", deadline));

        assertThat(keys.resolve(issued.key())).isInstanceOf(ApiKeys.Resolution.Valid.class);
        now.set(deadline.minusMillis(1));
        assertThat(keys.resolve(issued.key())).isInstanceOf(ApiKeys.Resolution.Valid.class);
        now.set(deadline);
        assertThat(keys.resolve(issued.key())).isEqualTo(new ApiKeys.Resolution.Expired(deadline));
    }

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactions;

    // ---- webhook secrets at rest

    @Test
    void aWebhookSecretIsStoredSealedAndReadBackOpened() {
        String secret = "whsec-" + UUID.randomUUID();
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:9/hook", "webhookSecret", secret));
        String stored = storedSecret(tenant.id());
        assertThat(stored).doesNotContain(secret).startsWith("v1:k1:");
        assertThat(SecretBox.isSealed(stored)).isTrue();
        assertThat(tenants.webhookSecret(TenantId.of(tenant.id()))).contains(secret);

        String changed = "whsec-" + UUID.randomUUID();
        assertThat(http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("webhookSecret", changed))).status()).isEqualTo(200);
        assertThat(storedSecret(tenant.id())).doesNotContain(changed).isNotEqualTo(stored);
        assertThat(tenants.webhookSecret(TenantId.of(tenant.id()))).as("evicted on change").contains(changed);

        // a change of another setting keeps the secret as it is
        String before = storedSecret(tenant.id());
        assertThat(http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("lowConfidenceStreak", 4))).status()).isEqualTo(200);
        assertThat(storedSecret(tenant.id())).isEqualTo(before);

        // no URL, no secret
        assertThat(http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("webhookUrl", ""))).body().get("settings").get("webhookSecretSet").asBoolean())
                .isFalse();
        assertThat(storedSecret(tenant.id())).isNull();
    }

    @Test
    void aSecretStoredInClearBeforeSealingIsReadAndSealedAtStart() {
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:9/hook", "webhookSecret", "whsec-0123456789abcdef"));
        String legacy = "legacy-" + UUID.randomUUID();
        jdbc.sql("UPDATE tenants SET webhook_secret = :s WHERE id = :id").param("s", legacy).param("id", tenant.id()).update();
        assertThat(tenants.webhookSecret(TenantId.of(tenant.id()))).as("read as it is").contains(legacy);

        assertThat(storedCredentials.sealAll()).isPositive();

        String stored = storedSecret(tenant.id());
        assertThat(stored).doesNotContain(legacy).startsWith("v1:k1:");
        assertThat(secretBox.open(stored)).isEqualTo(legacy);
        assertThat(storedCredentials.sealAll()).as("nothing left to seal").isZero();
    }

    private String storedSecret(UUID tenant) {
        return jdbc.sql("SELECT webhook_secret FROM tenants WHERE id = :id").param("id", tenant)
                .query((rs, i) -> rs.getString(1)).list().getFirst();
    }

    private UUID keyId(UUID tenant, String label) {
        return jdbc.sql("SELECT id FROM api_keys WHERE tenant_id = :t AND label = :l").param("t", tenant).param("l", label)
                .query(UUID.class).single();
    }
}
