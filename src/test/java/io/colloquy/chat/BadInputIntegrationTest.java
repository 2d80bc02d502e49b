package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.ServiceTestBase;

/** Each caller mistake is a clear problem response with the right 4xx status, and nothing is written. */
class BadInputIntegrationTest extends ServiceTestBase {


    Fixtures.Tenant tenant;
    UUID conversation;
    String path;

    @BeforeEach
    void setUp() {
        tenant = fixtures.tenant();
        conversation = fixtures.conversation(tenant);
        path = "/api/v1/conversations/" + conversation + "/messages";
    }

    @Test
    void malformedJsonIs400() {
        var response = http.post(path, tenant.chatKey(), "{\"content\": \"unterminated");
        assertProblem(response, 400, "malformed-request");
        assertNothingWritten();
    }

    @Test
    void missingContentIs400() {
        var response = http.post(path, tenant.chatKey(), Map.of("text", "wrong field"));
        assertProblem(response, 400, "invalid-request");
        assertNothingWritten();
    }

    @Test
    void emptyContentIs400() {
        var response = http.post(path, tenant.chatKey(), Map.of("content", "   "));
        assertProblem(response, 400, "invalid-request");
        assertNothingWritten();
    }

    @Test
    void contentOverTheLimitIs413() {
        var response = http.post(path, tenant.chatKey(), Map.of("content", "x".repeat(8001)));
        assertProblem(response, 413, "message-too-long");
        assertThat(response.body().get("detail").asString()).contains("8000");
        assertNothingWritten();
    }

    @Test
    void aBodyOverTheRequestLimitIs413BeforeItIsRead() {
        var response = http.post(path, tenant.chatKey(), Map.of("content", "y".repeat(70_000)));
        assertProblem(response, 413, "request-too-large");
        assertNothingWritten();
    }

    @Test
    void contentAtTheLimitIsAccepted() {
        var response = http.post(path, tenant.chatKey(), Map.of("content", "word ".repeat(1600)));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    @Test
    void anUnknownConversationIs404() {
        var response = http.post("/api/v1/conversations/" + UUID.randomUUID() + "/messages", tenant.chatKey(),
                Map.of("content", "hello"));
        assertProblem(response, 404, "not-found");
    }

    @Test
    void anIdThatIsNotAUuidIs404() {
        assertProblem(http.get("/api/v1/conversations/not-a-uuid", tenant.chatKey()), 404, "not-found");
    }

    @Test
    void aNegativeAfterIs400() {
        assertProblem(http.get(path + "?after=-1", tenant.chatKey()), 400, "validation-failed");
    }

    @Test
    void noKeyIs401AndAnUnknownKeyIs401() {
        assertProblem(http.post(path, null, Map.of("content", "hello")), 401, "unauthorized");
        assertProblem(http.post(path, "cq_not-a-real-key", Map.of("content", "hello")), 401, "unauthorized");
        assertNothingWritten();
    }

    @Test
    void aKeyWithoutTheRoleIs403() {
        assertProblem(http.post(path, tenant.financeKey(), Map.of("content", "hello")), 403, "forbidden");
        assertProblem(http.post("/api/v1/tenants", tenant.adminKey(), Map.of("name", "x")), 403, "forbidden");
        assertNothingWritten();
    }

    @Test
    void invalidTenantSettingsAre400() {
        var response = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY,
                Map.of("name", "bad", "settings", Map.of("confidenceThreshold", 2, "contextTokenBudget", 10)));
        assertProblem(response, 400, "validation-failed");
        assertThat(response.body().get("errors").toString()).contains("confidenceThreshold", "contextTokenBudget");
        var badPattern = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY,
                Map.of("name", "bad", "settings", Map.of("sensitivePatterns", java.util.List.of("(unclosed"))));
        assertProblem(badPattern, 400, "invalid-request");
    }

    @Test
    void anEncodedOrParameterisedApiPathStillNeedsAKey() {
        long platformKeysBefore = platformAdminKeys();
        for (String path : new String[] {"/%61pi/v1/api-keys", "/api;x=1/v1/api-keys", "/%61pi/v1/tenants"}) {
            var response = http.post(path, null, Map.of("roles", java.util.List.of("ADMIN")));
            assertThat(response.status()).as(path).isIn(400, 401, 404);
        }
        var asChat = http.post("/%61pi/v1/api-keys", tenant.chatKey(), Map.of("roles", java.util.List.of("FINANCE")));
        assertThat(asChat.status()).isIn(400, 403, 404);
        assertThat(platformAdminKeys()).as("no admin key was minted").isEqualTo(platformKeysBefore);
    }

    private long platformAdminKeys() {
        return jdbc.sql("SELECT count(*) FROM api_keys WHERE tenant_id IS NULL AND roles @> ARRAY['ADMIN']")
                .query(Long.class).single();
    }

    @Test
    void aNulCharacterIs400AndNot500() {
        assertProblem(http.post(path, tenant.chatKey(), Map.of("content", "hello\u0000world")), 400, "invalid-request");
        assertNothingWritten();
        var metadata = http.post("/api/v1/conversations", tenant.chatKey(), Map.of("metadata", Map.of("k", "a\u0000b")));
        assertProblem(metadata, 400, "invalid-request");
    }

    @Test
    void nullMetadataValuesAreAccepted() {
        var body = new java.util.HashMap<String, Object>();
        body.put("plan", null);
        body.put("channel", "web");
        var created = http.post("/api/v1/conversations", tenant.chatKey(), Map.of("metadata", body));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.body().get("metadata").get("channel").asString()).isEqualTo("web");
    }

    @Test
    void syncAndAsyncIdempotencyKeysNeverMeet() {
        // with a person in charge no turn waits for the model, so no worker of another test context can be
        // answering the async turn (and holding the conversation) when the sync one arrives
        fixtures.say(tenant, conversation, "I want to talk to a person");
        var async = http.post(path + ":async", tenant.chatKey(), Map.of("content", "same words"),
                Map.of("Idempotency-Key", "k1"));
        assertThat(async.status()).isEqualTo(202);
        var sync = http.post(path, tenant.chatKey(), Map.of("content", "same words"),
                Map.of("Idempotency-Key", "async:k1"));
        assertThat(sync.status()).as(sync.text()).isEqualTo(200);
    }

    @Test
    void aNullRoleIs400() {
        var response = http.post("/api/v1/tenants/" + tenant.id() + "/api-keys", Fixtures.ADMIN_KEY,
                "{\"roles\":[null]}");
        assertThat(response.status()).isEqualTo(400);
    }

    @Test
    void aClosedRouteIs404AsProblemDetails() {
        var response = http.get("/api/v1/nothing-here", tenant.chatKey());
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private void assertProblem(Http.Response response, int status, String type) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().get("type").asString()).endsWith("/" + type);
        assertThat(response.body().get("title").asString()).isNotBlank();
        assertThat(response.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private void assertNothingWritten() {
        long messages = jdbc.sql("SELECT count(*) FROM messages WHERE conversation_id = :c").param("c", conversation)
                .query(Long.class).single();
        long usage = jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
        assertThat(messages).isZero();
        assertThat(usage).isZero();
    }
}
