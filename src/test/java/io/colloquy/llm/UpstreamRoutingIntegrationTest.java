package io.colloquy.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Many upstreams against the fake server's three endpoints ({@code openai}, {@code backup}, {@code
 * slowpoke}): a failing primary falls back to the next entry of the tenant's route before anyone is
 * handed off, each attempt is billed with its real upstream and price, circuits are per upstream and
 * model, tolerable answers are accepted, a silent upstream is cut off early, and a tenant's own key is
 * stored sealed and never shown.
 */
class UpstreamRoutingIntegrationTest extends OpenAiIntegrationTestBase {

    static final List<Map<String, String>> PRIMARY_THEN_BACKUP = List.of(
            Map.of("upstream", "openai", "model", "gpt-4o-mini"), Map.of("upstream", "backup", "model", "llama3.1"));

    @BeforeEach
    void priceTheBackupModel() {
        // the backup's calls are priced under its own provider name; the row may exist from an earlier test
        http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "backup", "model", "llama3.1",
                "inputUsdPerMillion", "1.00", "outputUsdPerMillion", "2.00", "effectiveFrom", "2024-01-01T00:00:00Z"));
    }

    @Test
    void aPrimaryThatFailsFallsBackAndEveryAttemptIsBilledWithItsUpstreamAndPrice() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"primary down\"}}")));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup").willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Answered by the backup."), 1000, 0, 100)));
        var tenant = fixtures.tenant(Map.of("route", PRIMARY_THEN_BACKUP));
        UUID conversation = fixtures.conversation(tenant);

        JsonNode turn = fixtures.say(tenant, conversation, "Where is my refund for A-12345?");

        assertThat(turn.get("status").asString()).isEqualTo("BOT");
        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Answered by the backup.");
        assertThat(turn.get("answeredBy").get("upstream").asString()).isEqualTo("backup");
        assertThat(turn.get("answeredBy").get("model").asString()).isEqualTo("llama3.1");
        var rows = ledger(tenant.id());
        assertThat(rows).extracting(r -> r.get("upstream") + "/" + r.get("outcome"))
                .containsExactly("openai/SERVER_ERROR", "openai/SERVER_ERROR", "openai/SERVER_ERROR", "backup/SUCCESS");
        var backup = rows.getLast();
        assertThat(backup).containsEntry("provider", "backup").containsEntry("model", "llama3.1")
                .containsEntry("priced", true);
        // $1.00 per million prompt tokens and $2.00 per million completion tokens
        assertThat((BigDecimal) backup.get("cost_usd")).isEqualByComparingTo("0.0012");
        assertThat((String) rows.getFirst().get("error_detail")).contains("500").contains("primary down");
    }

    @Test
    void aMalformedPrimaryAnswerFallsBackWithItsReasonRecorded() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":[1,2]}}]}")));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup").willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Backup again."))));
        var tenant = fixtures.tenant(Map.of("route", PRIMARY_THEN_BACKUP));

        JsonNode turn = fixtures.say(tenant, fixtures.conversation(tenant), "Hello?");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Backup again.");
        var rows = ledger(tenant.id());
        assertThat(rows).extracting(r -> r.get("upstream") + "/" + r.get("outcome"))
                .containsExactly("openai/MALFORMED_RESPONSE", "backup/SUCCESS");
        assertThat((String) rows.getFirst().get("error_detail")).contains("content is ARRAY, not text");
    }

    @Test
    void oneUpstreamsOpenCircuitDoesNotCutOffATenantRoutedElsewhere() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(503)));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup").willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Still here."))));
        var onPrimary = fixtures.tenant();
        var onBackup = fixtures.tenant(Map.of("route", List.of(Map.of("upstream", "backup", "model", "llama3.1"))));

        fixtures.say(onPrimary, fixtures.conversation(onPrimary), "First");
        fixtures.say(onPrimary, fixtures.conversation(onPrimary), "Second");
        assertThat(circuitBreakers.circuitBreaker(PRIMARY_CIRCUIT).getState().name()).isEqualTo("OPEN");

        JsonNode turn = fixtures.say(onBackup, fixtures.conversation(onBackup), "Are you there?");
        assertThat(turn.get("status").asString()).isEqualTo("BOT");
        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Still here.");
        var circuits = management.get("/actuator/health", null).body().get("components").get("circuitBreakers").get("details");
        assertThat(circuits.get(PRIMARY_CIRCUIT).get("details").get("state").asString()).isEqualTo("OPEN");
        assertThat(circuits.get("llm:backup:llama3.1").get("details").get("state").asString()).isEqualTo("CLOSED");
    }

    @Test
    void anExhaustedRouteHandsOffWithEveryEntrysFailureInTheHandoff() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(500)));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup").willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"bad key\"}}")));
        var tenant = fixtures.tenant(Map.of("route", PRIMARY_THEN_BACKUP));

        JsonNode turn = fixtures.say(tenant, fixtures.conversation(tenant), "Hello?");

        assertThat(turn.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(turn.get("handoff").get("reason").asString()).isEqualTo("LLM_UNAVAILABLE");
        var handoff = http.get("/api/v1/handoffs/" + turn.get("handoff").get("id").asString(), tenant.agentKey()).body();
        assertThat(handoff.get("reasonDetail").asString()).contains("openai:gpt-4o-mini", "500")
                .contains("backup:llama3.1", "401", "bad key");
    }

    @Test
    void anAnswerWithoutChoiceIndexOrUsageIsAcceptedWithEstimatedTokens() {
        String answer = ModelAnswers.toJson(FakeOpenAi.confident("Accepted without an index."));
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < answer.length(); i += 20) {
            // no "index", no "created", no "id"; extra fields the schema does not know
            body.append("data: {\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"x_extra\":true,\"choices\":[{\"delta\":")
                    .append("{\"content\":").append(tools.jackson.databind.json.JsonMapper.builder().build()
                            .writeValueAsString(answer.substring(i, Math.min(answer.length(), i + 20)))).append("}}]}\n\n");
        }
        body.append("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(body.toString())));
        var tenant = fixtures.tenant();

        JsonNode turn = fixtures.say(tenant, fixtures.conversation(tenant), "Hello?");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Accepted without an index.");
        var row = ledger(tenant.id()).getFirst();
        assertThat(row).containsEntry("outcome", "SUCCESS").containsEntry("tokens_estimated", true);
        assertThat((Integer) row.get("completion_tokens")).isPositive();
    }

    @Test
    void anUpstreamThatNeverSendsAByteIsCutOffAtItsFirstByteLimitAndTheFallbackAnswers() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("slowpoke").willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("Too late.")).withFixedDelay(20_000)));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup").willReturn(
                FakeOpenAi.answer(FakeOpenAi.confident("The fallback answered."))));
        var tenant = fixtures.tenant(Map.of("route", List.of(Map.of("upstream", "slowpoke", "model", "gpt-4o-mini"),
                Map.of("upstream", "backup", "model", "llama3.1"))));

        JsonNode turn = fixtures.say(tenant, fixtures.conversation(tenant), "Hello?");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("The fallback answered.");
        var rows = ledger(tenant.id());
        assertThat(rows).extracting(r -> r.get("upstream") + "/" + r.get("outcome"))
                .as("a silent upstream is not asked again").containsExactly("slowpoke/TIMEOUT", "backup/SUCCESS");
        assertThat((String) rows.getFirst().get("error_detail")).contains("went silent for longer than 400 ms");
        assertThat((Integer) rows.getFirst().get("latency_ms")).as("cut at the first-byte limit, not at 5 s")
                .isLessThan(5000);
    }

    @Test
    void aTenantsOwnKeyIsSealedAtRestUsedForItsCallsAndNeverShown() {
        String secret = "sk-tenant-own-key-0123456789";
        FakeOpenAi.server().stubFor(FakeOpenAi.completions("backup")
                .withHeader("Authorization", equalTo("Bearer " + secret))
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("With your own key."))));
        var tenant = fixtures.tenant(Map.of("route", List.of(Map.of("upstream", "backup", "model", "llama3.1")),
                "upstreamKeys", Map.of("backup", secret)));

        JsonNode turn = fixtures.say(tenant, fixtures.conversation(tenant), "Hello?");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("With your own key.");
        String stored = jdbc.sql("SELECT upstream_keys::text FROM tenants WHERE id = :t").param("t", tenant.id())
                .query(String.class).single();
        assertThat(stored).doesNotContain(secret).contains("v1:k1:");
        var shown = http.get("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY);
        assertThat(shown.text()).doesNotContain(secret);
        assertThat(shown.body().get("settings").get("ownUpstreamKeys").toString()).isEqualTo("[\"backup\"]");
    }

    @Test
    void aRouteThroughAnUnknownUpstreamIsRefused() {
        var created = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "t-" + UUID.randomUUID(),
                "settings", Map.of("route", List.of(Map.of("upstream", "nowhere", "model", "x")))));
        assertThat(created.status()).isEqualTo(400);
        assertThat(created.text()).contains("nowhere").contains("is not an upstream");
    }

    private List<Map<String, Object>> ledger(UUID tenant) {
        return jdbc.sql("""
                        SELECT upstream, provider, model, outcome, error_detail, tokens_estimated, completion_tokens,
                               priced, cost_usd, latency_ms
                        FROM usage_ledger WHERE tenant_id = :t ORDER BY occurred_at, attempt""")
                .param("t", tenant).query().listOfRows();
    }
}
