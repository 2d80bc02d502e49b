package io.colloquy.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.ServiceTestBase;

/** Another tenant's conversation is answered exactly like a missing one, on every endpoint. */
class TenantIsolationIntegrationTest extends ServiceTestBase {


    Fixtures.Tenant owner;
    Fixtures.Tenant other;
    UUID conversation;

    @BeforeEach
    void setUp() {
        owner = fixtures.tenant();
        other = fixtures.tenant();
        conversation = fixtures.conversation(owner);
        fixtures.say(owner, conversation, "My order A-777 never arrived.");
    }

    @Test
    void anotherTenantsChatKeySees404OnEveryConversationEndpoint() {
        String base = "/api/v1/conversations/" + conversation;
        assertNotFound(http.get(base, other.chatKey()));
        assertNotFound(http.get(base + "/messages?after=0", other.chatKey()));
        assertNotFound(http.post(base + "/messages", other.chatKey(), Map.of("content", "hijack")));
    }

    @Test
    void anotherTenantsAgentKeySees404OnTheMemoryView() {
        assertNotFound(http.get("/api/v1/conversations/" + conversation + "/memory", other.agentKey()));
        assertThat(http.get("/api/v1/conversations/" + conversation + "/memory", owner.agentKey()).status())
                .isEqualTo(200);
    }

    @Test
    void theAnswerForAnotherTenantsConversationEqualsTheAnswerForAMissingOne() {
        var foreign = http.get("/api/v1/conversations/" + conversation, other.chatKey());
        var missing = http.get("/api/v1/conversations/" + UUID.randomUUID(), other.chatKey());
        assertThat(foreign.status()).isEqualTo(missing.status());
        assertThat(foreign.body().get("type")).isEqualTo(missing.body().get("type"));
        assertThat(foreign.body().get("title")).isEqualTo(missing.body().get("title"));
    }

    @Test
    void theOwnersTranscriptIsUntouchedByTheOtherTenant() {
        http.post("/api/v1/conversations/" + conversation + "/messages", other.chatKey(), Map.of("content", "hijack"));
        var transcript = http.get("/api/v1/conversations/" + conversation + "/messages", owner.chatKey());
        assertThat(transcript.body().get("messages")).hasSize(2);
        assertThat(transcript.text()).doesNotContain("hijack");
    }

    private static void assertNotFound(Http.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }
}
