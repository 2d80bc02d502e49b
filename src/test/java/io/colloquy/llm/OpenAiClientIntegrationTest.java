package io.colloquy.llm;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.HeldAnswers;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/** The real OpenAI client path (Spring AI + openai-java) against a fake OpenAI-compatible server. */
class OpenAiClientIntegrationTest extends OpenAiIntegrationTestBase {

    @Test
    void sendsAChatCompletionRequestWithTheTenantsModelAndTheConversation() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .withHeader("Authorization", equalTo("Bearer " + FakeOpenAi.API_KEY))
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Refund started."), 900, 0, 40)));
        var tenant = fixtures.tenant(Map.of("model", "gpt-4.1-mini"));
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "I want a refund for order A-12345.");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Refund started.");
        assertThat(FakeOpenAi.requests()).hasSize(1);
        JsonNode request = FakeOpenAi.body(FakeOpenAi.requests().getFirst());
        assertThat(request.get("model").asString()).isEqualTo("gpt-4.1-mini");
        assertThat(request.get("response_format").get("type").asString()).isEqualTo("json_object");
        assertThat(request.get("max_tokens").asInt()).isPositive();
        assertThat(request.get("stream").asBoolean()).as("answers are always streamed from the provider").isTrue();
        assertThat(request.get("stream_options").get("include_usage").asBoolean()).isTrue();
        JsonNode messages = request.get("messages");
        assertThat(messages.get(0).get("role").asString()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asString()).contains("\"confidence\"");
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last.get("role").asString()).isEqualTo("user");
        assertThat(last.get("content").asString()).isEqualTo("I want a refund for order A-12345.");
    }

    @Test
    void recordsTheUsageTheServerReportsAndPricesCachedTokensAtTheCachedRate() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Done."), 1234, 200, 56)));
        var tenant = fixtures.tenant(Map.of("model", "gpt-4o-mini"));
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Please refund order A-12345.");

        var row = jdbc.sql("""
                        SELECT prompt_tokens, cached_prompt_tokens, completion_tokens, tokens_estimated, cost_usd,
                               provider, model, conversation_id
                        FROM usage_ledger WHERE tenant_id = :t""")
                .param("t", tenant.id()).query().singleRow();
        assertThat(row.get("prompt_tokens")).isEqualTo(1234);
        assertThat(row.get("cached_prompt_tokens")).isEqualTo(200);
        assertThat(row.get("completion_tokens")).isEqualTo(56);
        assertThat(row.get("tokens_estimated")).isEqualTo(false);
        assertThat(row.get("provider")).isEqualTo("openai");
        assertThat(row.get("model")).isEqualTo("gpt-4o-mini");
        assertThat(row.get("conversation_id")).isEqualTo(conversation);
        // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens
        BigDecimal expected = new BigDecimal("0.000155100000").add(new BigDecimal("0.000015000000"))
                .add(new BigDecimal("0.000033600000"));
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(expected);
        assertThat(new BigDecimal(turn.get("usage").get("costUsd").asString())).isEqualByComparingTo(expected);
        assertThat(turn.get("usage").get("promptTokens").asInt()).isEqualTo(1234);
    }

    @Test
    void readsAWholeJsonAnswerFromAServerThatIgnoresStreaming() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.wholeAnswer(FakeOpenAi.confident("Done in one piece."), 321, 0, 12)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Please refund order A-12345.");

        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Done in one piece.");
        assertThat(turn.get("usage").get("promptTokens").asInt()).isEqualTo(321);
    }

    @Test
    void estimatesTokensWhenTheServerSendsNoUsage() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answerWithoutUsage(FakeOpenAi.confident("Your refund is on its way."))));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        fixtures.say(tenant, conversation, "Please refund order A-12345.");

        var row = jdbc.sql("""
                        SELECT prompt_tokens, completion_tokens, tokens_estimated, cost_usd
                        FROM usage_ledger WHERE tenant_id = :t""")
                .param("t", tenant.id()).query().singleRow();
        assertThat(row.get("tokens_estimated")).isEqualTo(true);
        assertThat((Integer) row.get("prompt_tokens")).as("never zero because the server was silent").isGreaterThan(50);
        assertThat((Integer) row.get("completion_tokens")).isGreaterThan(5);
        assertThat((BigDecimal) row.get("cost_usd")).isPositive();
    }

    @Test
    void aSecondTurnWhileTheFirstIsStillAnsweringIsRefusedWith409() throws Exception {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Done.")).withTransformers(HeldAnswers.NAME)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String path = "/api/v1/conversations/" + conversation + "/messages";

        HeldAnswers held = HeldAnswers.hold();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = pool.submit(() -> http.post(path, tenant.chatKey(), Map.of("content", "First question")));
            // the first turn's call reached the model, whose answer is held: the turn is certainly in progress
            held.awaitArrival();
            var second = http.post(path, tenant.chatKey(), Map.of("content", "Second question"));

            assertThat(second.status()).isEqualTo(409);
            assertThat(second.body().get("type").asString()).endsWith("/turn-in-progress");
            held.release();
            assertThat(first.get().status()).isEqualTo(200);
        } finally {
            held.release();
        }
        var retry = http.post(path, tenant.chatKey(), Map.of("content", "Second question"));
        assertThat(retry.status()).isEqualTo(200);
        var transcript = http.get(path, tenant.chatKey()).body().get("messages");
        assertThat(transcript).hasSize(4);
        assertThat(transcript.get(2).get("content").asString()).isEqualTo("Second question");
        assertThat(FakeOpenAi.requests()).hasSize(2);
    }

    @Test
    void usesAnAnswerThatIsNotJsonAsPlainTextWithUnknownConfidence() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.json(
                FakeOpenAi.completionBody("Sure, I can help with that.", FakeOpenAi.usage(100, 0, 8)))));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Can you help me?");

        assertThat(turn.get("status").asString()).isEqualTo("BOT");
        assertThat(turn.get("reply").get("content").asString()).isEqualTo("Sure, I can help with that.");
        assertThat(turn.get("handoff").isNull()).isTrue();
    }
}
