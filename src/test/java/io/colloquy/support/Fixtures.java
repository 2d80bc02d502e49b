package io.colloquy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * Builds test state through the public API, the way a deployer and a widget would: a tenant, its
 * keys, conversations and turns. Every tenant is new, so tests never see each other's data.
 */
public final class Fixtures {

    public static final String ADMIN_KEY = "test-admin-key";

    private final Http http;

    public Fixtures(Http http) {
        this.http = http;
    }

    public record Tenant(UUID id, String chatKey, String agentKey, String financeKey, String adminKey) {
    }

    public Tenant tenant() {
        return tenant(Map.of());
    }

    public Tenant tenant(Map<String, Object> settings) {
        var created = http.post("/api/v1/tenants", ADMIN_KEY,
                Map.of("name", "tenant-" + UUID.randomUUID(), "settings", settings));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        UUID id = UUID.fromString(created.body().get("id").asString());
        return new Tenant(id, key(id, "CHAT"), key(id, "AGENT"), key(id, "FINANCE"), key(id, "ADMIN"));
    }

    public String key(UUID tenantId, String... roles) {
        var key = http.post("/api/v1/tenants/" + tenantId + "/api-keys", ADMIN_KEY,
                Map.of("roles", List.of(roles), "label", "test-" + String.join("-", roles).toLowerCase()));
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.body().get("key").asString();
    }

    public String platformKey(String... roles) {
        var key = http.post("/api/v1/api-keys", ADMIN_KEY, Map.of("roles", List.of(roles)));
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return key.body().get("key").asString();
    }

    public UUID conversation(Tenant tenant) {
        var created = http.post("/api/v1/conversations", tenant.chatKey(), Map.of("externalUserRef", "customer-1"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return UUID.fromString(created.body().get("id").asString());
    }

    /** Sends one synchronous turn and expects it to succeed. */
    public JsonNode say(Tenant tenant, UUID conversation, String content) {
        var turn = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", content));
        assertThat(turn.status()).as(turn.text()).isEqualTo(200);
        return turn.body();
    }
}
