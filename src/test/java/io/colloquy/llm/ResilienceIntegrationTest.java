package io.colloquy.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * What the customer gets when the model fails, one failure at a time, through the real OpenAI client
 * against the fake server. Limits in this context: 5 s per attempt, 8 s per turn, 3 attempts, the
 * circuit opening at 50 % failures of the last 10 calls once 5 were made (and staying open 60 s). Nothing
 * here measures elapsed time: what the limits did is read from the requests and the ledger's attempts.
 */
class ResilienceIntegrationTest extends OpenAiIntegrationTestBase {

    @ParameterizedTest
    @ValueSource(ints = {500, 503})
    void serverErrorsAreRetriedThenTheCustomerIsHandedOff(int status) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"upstream down\"}}")));
        var turn = handedOffTurn();

        assertThat(FakeOpenAi.requests()).hasSize(3);
        assertThat(outcomes(turn)).containsExactly("SERVER_ERROR", "SERVER_ERROR", "SERVER_ERROR");
    }

    @Test
    void tooManyRequestsWaitsForRetryAfterThenAnswers() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().inScenario("rate").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"slow down\"}}"))
                .willSetStateTo("ok"));
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().inScenario("rate").whenScenarioStateIs("ok")
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Here you go."))));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Where is my order?");

        assertThat(turn.get("status").asString()).isEqualTo("BOT");
        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Here you go.");
        var requests = FakeOpenAi.requests();
        assertThat(requests).hasSize(2);
        long gap = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
        assertThat(gap).as("waited for Retry-After").isGreaterThanOrEqualTo(1000);
        assertThat(ledgerOutcomes(tenant.id())).containsExactly("RATE_LIMITED", "SUCCESS");
    }

    @Test
    void aRetryAfterLongerThanAllowedHandsOffAtOnce() {
        // 3 s: longer than max-retry-after (2 s), though it would fit the turn's budget (8 s)
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3").withHeader("Content-Type", "application/json").withBody("{}")));
        var turn = handedOffTurn();
        assertThat(FakeOpenAi.requests()).as("no second attempt after waiting").hasSize(1);
        assertThat(outcomes(turn)).containsExactly("RATE_LIMITED");
    }

    @Test
    void aResetConnectionIsRetriedThenHandedOff() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        var turn = handedOffTurn();
        assertThat(outcomes(turn)).hasSize(3).containsOnly("CONNECTION_ERROR");
    }

    @Test
    void aReplySlowerThanTheTimeLimitIsCutOffWithinTheTurnBudget() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Too late.")).withFixedDelay(60_000)));
        var turn = handedOffTurn();

        List<String> outcomes = outcomes(turn);
        // three 5 s attempts would need 15 s: the 8 s budget leaves room for two at most
        assertThat(outcomes).hasSizeBetween(1, 2).containsOnly("TIMEOUT");
        var first = jdbc.sql("""
                        SELECT latency_ms, error_detail FROM usage_ledger WHERE tenant_id = :t AND conversation_id = :c
                        ORDER BY occurred_at, attempt LIMIT 1""")
                .param("t", turn.tenant()).param("c", turn.conversation()).query().singleRow();
        var limit = java.util.regex.Pattern.compile("no answer within (\\d+) ms")
                .matcher((String) first.get("error_detail"));
        assertThat(limit.find()).as("cut off by its time limit: %s", first.get("error_detail")).isTrue();
        assertThat(Integer.parseInt(limit.group(1))).as("the attempt's limit, or what was left of the budget")
                .isLessThanOrEqualTo(5000);
        assertThat((Integer) first.get("latency_ms")).as("the attempt waited its whole limit")
                .isGreaterThanOrEqualTo(Integer.parseInt(limit.group(1)));
    }

    @Test
    void aMalformedAnswerIsAProtocolFaultAndIsNotRetried() {
        // the message's content is an object, not text: no answer can be read from it
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                        + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":{\"text\":\"hi\"}},"
                        + "\"finish_reason\":\"stop\"}]}")));
        var turn = handedOffTurn();
        assertThat(FakeOpenAi.requests()).hasSize(1);
        assertThat(outcomes(turn)).containsExactly("MALFORMED_RESPONSE");
    }

    @Test
    void aBodyThatIsNotJsonAtAllIsAProtocolFault() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("<html>gateway</html>")));
        var turn = handedOffTurn();
        assertThat(outcomes(turn)).containsExactly("MALFORMED_RESPONSE");
    }

    @Test
    void theBreakerOpensAfterTheConfiguredFailuresAndTheNextTurnAnswersWithoutCallingUpstream() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(500)));
        handedOffTurn();
        handedOffTurn();
        assertThat(FakeOpenAi.requests()).as("the circuit opened at the 5th failure").hasSize(5);
        assertThat(circuitBreakers.circuitBreaker(PRIMARY_CIRCUIT).getState().name()).isEqualTo("OPEN");

        var turn = handedOffTurn();

        assertThat(FakeOpenAi.requests()).as("the open circuit answered, not the upstream").hasSize(5);
        assertThat(outcomes(turn)).isEmpty();
        assertThat(jdbc.sql("SELECT reason_detail FROM handoffs WHERE tenant_id = :t AND conversation_id = :c")
                .param("t", turn.tenant()).param("c", turn.conversation()).query(String.class).single())
                .containsIgnoringCase("circuit open");
        var health = management.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asString()).isEqualTo("UP");
        assertThat(health.body().get("components").get("circuitBreakers").get("details").get(PRIMARY_CIRCUIT)
                .get("details").get("state").asString()).isEqualTo("OPEN");
    }

    @Test
    void resilienceMetersAreExported() {
        var metrics = management.get("/actuator/prometheus", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("resilience4j_circuitbreaker_state", "resilience4j_retry_calls",
                "resilience4j_bulkhead_available_concurrent_calls", "colloquy_jobs_queued");
    }

    record Turn(UUID tenant, UUID conversation, JsonNode body) {
    }

    /** A turn that must end in a handoff for an unavailable model, answered 200 with a holding reply. */
    private Turn handedOffTurn() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        var response = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "I want a refund for order A-12345."));
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode body = response.body();
        assertThat(body.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(body.get("handoff").get("reason").asString()).isEqualTo("LLM_UNAVAILABLE");
        assertThat(body.get("reply").get("content").asString()).contains("member of our team");
        var handoff = http.get("/api/v1/handoffs/" + body.get("handoff").get("id").asString(), tenant.agentKey());
        assertThat(handoff.body().get("package").get("suggestedNextAction").asString()).contains("A-12345");
        assertThat(handoff.body().get("package").get("transcript")).hasSize(2);
        return new Turn(tenant.id(), conversation, body);
    }

    private List<String> outcomes(Turn turn) {
        return jdbc.sql("""
                        SELECT outcome FROM usage_ledger WHERE tenant_id = :t AND conversation_id = :c
                        ORDER BY occurred_at, attempt""")
                .param("t", turn.tenant()).param("c", turn.conversation()).query(String.class).list();
    }

    private List<String> ledgerOutcomes(UUID tenant) {
        return jdbc.sql("SELECT outcome FROM usage_ledger WHERE tenant_id = :t ORDER BY occurred_at, attempt")
                .param("t", tenant).query(String.class).list();
    }
}
