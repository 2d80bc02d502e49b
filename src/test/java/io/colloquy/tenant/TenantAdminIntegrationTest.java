package io.colloquy.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.colloquy.support.Fixtures;
import io.colloquy.support.ServiceTestBase;

class TenantAdminIntegrationTest extends ServiceTestBase {




    @Test
    void aNewTenantGetsEveryDefaultAndChangesOnlyWhatItNames() {
        var created = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "Globex"));
        assertThat(created.status()).isEqualTo(201);
        var settings = created.body().get("settings");
        assertThat(settings.get("contextTokenBudget").asInt()).isEqualTo(4000);
        assertThat(settings.get("confidenceThreshold").asDouble()).isEqualTo(0.55);
        assertThat(settings.get("hardLimitAction").asString()).isEqualTo("HANDOFF");
        assertThat(settings.get("monthlyBudgetUsd").isNull()).isTrue();

        String id = created.body().get("id").asString();
        var patched = http.patch("/api/v1/tenants/" + id, Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("monthlyBudgetUsd", "250.00", "policyTopics", List.of("legal"))));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(patched.body().get("settings").get("monthlyBudgetUsd").asString()).isEqualTo("250.00");
        assertThat(patched.body().get("settings").get("policyTopics").get(0).asString()).isEqualTo("legal");
        assertThat(patched.body().get("settings").get("contextTokenBudget").asInt()).isEqualTo(4000);
    }

    /** As the README says: 16 to 200 characters, required with a URL, never returned. */
    @Test
    void aWebhookSecretHasAtLeastSixteenCharactersAndIsNeverReturned() {
        var tooShort = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "Hooks", "settings",
                Map.of("webhookUrl", "https://hooks.example.com/colloquy", "webhookSecret", "fifteen-chars-x")));
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.body().get("type").asString()).endsWith("/validation-failed");
        assertThat(tooShort.text()).contains("webhookSecret");
        var without = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "Hooks", "settings",
                Map.of("webhookUrl", "https://hooks.example.com/colloquy")));
        assertThat(without.status()).isEqualTo(400);

        var created = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "Hooks", "settings",
                Map.of("webhookUrl", "https://hooks.example.com/colloquy", "webhookSecret", "sixteen-chars-xx")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.text()).doesNotContain("sixteen-chars-xx");
        assertThat(created.body().get("settings").get("webhookSecretSet").asBoolean()).isTrue();
    }

    @Test
    void anApiKeyIsShownOnceAndStoredOnlyAsAHash() {
        var tenant = fixtures.tenant();
        var issued = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT", "AGENT")));
        assertThat(issued.status()).isEqualTo(201);
        String key = issued.body().get("key").asString();
        assertThat(key).startsWith("cq_").hasSizeGreaterThan(40);
        assertThat(issued.body().get("tenantId").asString()).isEqualTo(tenant.id().toString());

        long plain = jdbc.sql("SELECT count(*) FROM api_keys WHERE encode(key_hash, 'escape') LIKE :k")
                .param("k", "%" + key + "%").query(Long.class).single();
        assertThat(plain).isZero();
        var listed = http.get("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY);
        assertThat(listed.text()).doesNotContain(key);
    }

    @Test
    void aRevokedKeyIsRefused() {
        var tenant = fixtures.tenant();
        var issued = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("CHAT")));
        String key = issued.body().get("key").asString();
        assertThat(http.post("/api/v1/conversations", key, Map.of()).status()).isEqualTo(201);

        assertThat(http.delete("/api/v1/api-keys/" + issued.body().get("id").asString(), Fixtures.ADMIN_KEY).status())
                .isEqualTo(204);

        assertThat(http.post("/api/v1/conversations", key, Map.of()).status()).isEqualTo(401);
    }

    @Test
    void aPlatformKeyMayOnlyHoldPlatformRoles() {
        var chat = http.post("/api/v1/api-keys", Fixtures.ADMIN_KEY, Map.of("roles", List.of("CHAT")));
        assertThat(chat.status()).isEqualTo(400);
        var finance = http.post("/api/v1/api-keys", Fixtures.ADMIN_KEY, Map.of("roles", List.of("FINANCE")));
        assertThat(finance.status()).isEqualTo(201);
        assertThat(finance.body().get("tenantId").isNull()).isTrue();
    }

    @Test
    void anUnknownRoleIs400() {
        var tenant = fixtures.tenant();
        var response = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                Map.of("roles", List.of("SUPERUSER")));
        assertThat(response.status()).isEqualTo(400);
    }
}
