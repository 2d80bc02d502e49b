package io.colloquy.memory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.colloquy.llm.ModelAnswer;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/**
 * The real model's summarizer (the OpenAI client against the fake server): the summarization request
 * is the one designed (instructions with the word limit, the previous summary and the turns to fold in as
 * plain text, at most the summary's ceiling in tokens, no JSON format, streamed), a good summary is used,
 * a refusal or a failed call falls back to the extractive summary, and every call is in the ledger as
 * SUMMARIZATION.
 */
class OpenAiSummarizerIntegrationTest extends OpenAiIntegrationTestBase {

    static final int BUDGET = 1000;
    static final int SUMMARY_CEILING = 200;
    static final String GOOD_SUMMARY = "Dana Whitfield wants a refund for order A-55123, which arrived damaged; "
            + "email dana.whitfield@example.com, phone +1 415 555 0142, address 12 Harbor Lane, Springfield.";

    @BeforeEach
    void resetSummarizerCircuit() {
        circuitBreakers.getAllCircuitBreakers().forEach(io.github.resilience4j.circuitbreaker.CircuitBreaker::reset);
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().atPriority(5)
                .willReturn(FakeOpenAi.answer(new ModelAnswer("Noted, thank you.", 0.92, "refund request", false, null,
                        "The customer is giving details.", "Process the refund", List.of(), List.of(), true), 700, 0, 20)));
    }

    @Test
    void sendsTheDesignedRequestAndUsesAGoodSummary() {
        summarizerAnswers(FakeOpenAi.stream(GOOD_SUMMARY, FakeOpenAi.usage(640, 0, 48), 16, true));

        Run run = converseUntilCompacted();

        LoggedRequest request = summarizationRequests().getFirst();
        JsonNode body = FakeOpenAi.body(request);
        assertThat(body.get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("max_tokens").asInt()).as("at most the summary's ceiling").isEqualTo(SUMMARY_CEILING);
        assertThat(body.has("response_format")).as("a summary is plain text, not JSON").isFalse();
        assertThat(body.get("stream").asBoolean()).isTrue();
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).get("role").asString()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asString())
                .isEqualTo(Compactor.INSTRUCTIONS.formatted(SUMMARY_CEILING * 3 / 4));
        assertThat(messages.get(1).get("role").asString()).isEqualTo("user");
        assertThat(messages.get(1).get("content").asString())
                .startsWith(Compactor.PREVIOUS + "(none)" + Compactor.TO_FOLD + "Customer: "
                        + ScriptedConversation.messages().getFirst() + "\nAssistant: Noted, thank you.\n");

        JsonNode memory = memory(run);
        assertThat(memory.get("summary").asString()).isEqualTo(GOOD_SUMMARY);
        assertThat(memory.get("extractiveCompactions").asInt()).isZero();
        // the next turn's prompt carries it
        fixtures.say(run.tenant(), run.conversation(), "Any news on my refund?");
        List<LoggedRequest> chats = FakeOpenAi.requests().stream()
                .filter(r -> !r.getBodyAsString().contains("You maintain the running summary")).toList();
        assertThat(chats.getLast().getBodyAsString()).contains("Summary of the earlier conversation:\\n" + GOOD_SUMMARY);

        List<Map<String, Object>> rows = summarizationRows(run);
        assertThat(rows).hasSize(summarizationRequests().size());
        assertThat(rows.getFirst()).containsEntry("outcome", "SUCCESS").containsEntry("prompt_tokens", 640)
                .containsEntry("completion_tokens", 48).containsEntry("model", "gpt-4o-mini")
                .containsEntry("conversation_id", run.conversation());
    }

    @Test
    void aRefusalInsteadOfASummaryFallsBackToTheExtractiveSummary() {
        summarizerAnswers(FakeOpenAi.stream("I'm sorry, but I can't help with that request.",
                FakeOpenAi.usage(640, 0, 12), 16, true));

        Run run = converseUntilCompacted();

        JsonNode memory = memory(run);
        assertThat(memory.get("extractiveCompactions").asInt()).isPositive();
        assertThat(memory.get("summary").asString()).doesNotContain("sorry")
                .startsWith("[#1-#").contains(ScriptedConversation.ORDER);
        assertThat(summarizationRows(run)).isNotEmpty()
                .allSatisfy(row -> assertThat(row).containsEntry("outcome", "SUCCESS"));
    }

    @Test
    void aFailingSummarizerFallsBackAndItsFailuresAreInTheLedger() {
        summarizerAnswers(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"upstream broke\",\"type\":\"server_error\"}}"));

        Run run = converseUntilCompacted();

        JsonNode memory = memory(run);
        assertThat(memory.get("extractiveCompactions").asInt()).isPositive();
        assertThat(memory.get("summary").asString()).contains(ScriptedConversation.ORDER);
        assertThat(summarizationRows(run)).isNotEmpty()
                .allSatisfy(row -> assertThat(row).containsEntry("outcome", "SERVER_ERROR"));
        assertThat(summarizationRequests()).as("one attempt per fold: the summarizer is not retried").hasSize(
                summarizationRows(run).size());
    }

    record Run(Fixtures.Tenant tenant, UUID conversation) {
    }

    private void summarizerAnswers(ResponseDefinitionBuilder response) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().atPriority(1)
                .withRequestBody(containing("You maintain the running summary")).willReturn(response));
    }

    private Run converseUntilCompacted() {
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", BUDGET));
        UUID conversation = fixtures.conversation(tenant);
        List<String> script = ScriptedConversation.messages();
        for (int i = 0; i < 120; i++) {
            fixtures.say(tenant, conversation, script.get(i));
            if (memory(new Run(tenant, conversation)).get("compactions").asInt() > 0) {
                return new Run(tenant, conversation);
            }
        }
        throw new AssertionError("no compaction in 120 turns at a budget of " + BUDGET);
    }

    private JsonNode memory(Run run) {
        return http.get("/api/v1/conversations/" + run.conversation() + "/memory", run.tenant().agentKey()).body();
    }

    private static List<LoggedRequest> summarizationRequests() {
        return FakeOpenAi.requests().stream()
                .filter(r -> r.getBodyAsString().contains("You maintain the running summary")).toList();
    }

    private List<Map<String, Object>> summarizationRows(Run run) {
        return jdbc.sql("""
                        SELECT outcome, prompt_tokens, completion_tokens, model, conversation_id FROM usage_ledger
                        WHERE tenant_id = :t AND purpose = 'SUMMARIZATION' ORDER BY occurred_at""")
                .param("t", run.tenant().id()).query().listOfRows();
    }
}
