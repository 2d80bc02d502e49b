package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.ModelAnswers;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;
import io.colloquy.support.SseClient;

/**
 * Streamed turns ({@code Accept: text/event-stream}) through the real OpenAI client path against a fake
 * server that streams its answers in chunks: what the customer reads streamed is what the transcript
 * keeps, every call is billed once from the provider's own usage (or estimated and flagged), a customer
 * who hangs up still gets the whole answer stored, and a stream that breaks degrades like any failure.
 */
class StreamedTurnIntegrationTest extends OpenAiIntegrationTestBase {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theStreamedTextIsTheStoredReplyAndTheCallIsBilledFromTheFinalChunk() {
        ModelAnswer answer = FakeOpenAi.confident("Your refund for A-12345 is on its way \u2014 it \"should\" arrive in 3 days. \uD83D\uDE0A");
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(answer, 900, 100, 40).withChunkedDribbleDelay(25, 500)));
        var tenant = fixtures.tenant(Map.of("model", "gpt-4o-mini"));
        UUID conversation = fixtures.conversation(tenant);

        List<SseClient.Event> events;
        try (var stream = streamTurn(tenant, conversation, "I want a refund for order A-12345.")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            events = stream.readToEnd(WAIT);
        }

        assertThat(names(events).getFirst()).isEqualTo("accepted");
        assertThat(names(events).getLast()).isEqualTo("completed");
        assertThat(names(events)).doesNotContain("handoff", "error");
        assertThat(events.stream().map(SseClient.Event::id).map(Long::parseLong).toList())
                .as("every event has an id, in order").isSorted().doesNotHaveDuplicates();
        assertThat(events.getFirst().json().get("message").get("content").asString())
                .isEqualTo("I want a refund for order A-12345.");
        assertThat(events.stream().filter(e -> e.name().equals("delta")).count()).as("the reply came in pieces")
                .isGreaterThan(3);
        String streamed = deltas(events);
        var completed = events.getLast().json();
        assertThat(streamed).isEqualTo(answer.reply());
        assertThat(completed.get("reply").get("content").asString()).isEqualTo(streamed);
        assertThat(completed.get("usage").get("promptTokens").asInt()).isEqualTo(900);
        assertThat(assistantReplies(tenant.id(), conversation)).containsExactly(streamed);

        var row = jdbc.sql("""
                        SELECT purpose, outcome, prompt_tokens, cached_prompt_tokens, completion_tokens, tokens_estimated
                        FROM usage_ledger WHERE tenant_id = :t""").param("t", tenant.id()).query().singleRow();
        assertThat(row).containsEntry("purpose", "CHAT").containsEntry("outcome", "SUCCESS")
                .containsEntry("prompt_tokens", 900).containsEntry("cached_prompt_tokens", 100)
                .containsEntry("completion_tokens", 40).containsEntry("tokens_estimated", false);
    }

    @Test
    void aStreamWithoutUsageIsEstimatedAndFlagged() {
        ModelAnswer answer = FakeOpenAi.confident("Your refund is on its way.");
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answerWithoutUsage(answer)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        try (var stream = streamTurn(tenant, conversation, "Please refund order A-12345.")) {
            assertThat(deltas(stream.readToEnd(WAIT))).isEqualTo(answer.reply());
        }

        var row = jdbc.sql("SELECT prompt_tokens, completion_tokens, tokens_estimated FROM usage_ledger WHERE tenant_id = :t")
                .param("t", tenant.id()).query().singleRow();
        assertThat(row.get("tokens_estimated")).isEqualTo(true);
        assertThat((Integer) row.get("prompt_tokens")).isGreaterThan(50);
        assertThat((Integer) row.get("completion_tokens")).isGreaterThan(5);
    }

    @Test
    void aCustomerWhoHangsUpAfterTheFirstDeltaStillGetsTheWholeReplyStoredAndBilledOnce() {
        ModelAnswer answer = FakeOpenAi.confident("This is a long answer about your refund for order A-12345, "
                + "which was approved and will reach your card within three to five working days.");
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(answer, 700, 0, 55).withChunkedDribbleDelay(30, 800)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        try (var stream = streamTurn(tenant, conversation, "Where is my refund for A-12345?")) {
            stream.await(e -> e.name().equals("delta"), WAIT, "delta");
        }

        await().atMost(WAIT).until(() -> !assistantReplies(tenant.id(), conversation).isEmpty());
        assertThat(assistantReplies(tenant.id(), conversation)).containsExactly(answer.reply());
        var rows = jdbc.sql("SELECT outcome, completion_tokens FROM usage_ledger WHERE tenant_id = :t")
                .param("t", tenant.id()).query().listOfRows();
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst()).containsEntry("outcome", "SUCCESS").containsEntry("completion_tokens", 55);
        assertThat(FakeOpenAi.requests()).hasSize(1);
        // the conversation is free for the next turn
        assertThat(fixtures.say(tenant, conversation, "Thanks!").get("status").asString()).isEqualTo("BOT");
    }

    @Test
    void anUpstreamThatBreaksMidStreamIsBilledAndHandsOffWithoutStoringThePartialAnswer() {
        ModelAnswer answer = FakeOpenAi.confident("Your refund for A-12345 was approved and the money is on its way.");
        String json = ModelAnswers.toJson(answer);
        String cut = json.substring(0, json.indexOf("approved") + 4);
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.stream(cut, null, 10, false)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        List<SseClient.Event> events;
        try (var stream = streamTurn(tenant, conversation, "Is my refund for A-12345 approved?")) {
            events = stream.readToEnd(WAIT);
        }

        List<String> names = names(events);
        int handoff = names.indexOf("handoff");
        assertThat(handoff).as("a handoff event announces the failure").isPositive();
        assertThat(names.subList(1, handoff)).as("the customer had read part of the answer").contains("delta");
        assertThat(events.get(handoff).json().get("reason").asString()).isEqualTo("LLM_UNAVAILABLE");
        String afterHandoff = deltas(events.subList(handoff, events.size()));
        var completed = events.getLast().json();
        assertThat(completed.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(completed.get("reply").get("content").asString()).isEqualTo(afterHandoff)
                .contains("member of our team");
        assertThat(assistantReplies(tenant.id(), conversation)).as("the partial answer is not stored as an answer")
                .containsExactly(afterHandoff);
        var row = jdbc.sql("""
                        SELECT outcome, prompt_tokens, completion_tokens, tokens_estimated
                        FROM usage_ledger WHERE tenant_id = :t""").param("t", tenant.id()).query().singleRow();
        assertThat(row.get("outcome")).isEqualTo("CONNECTION_ERROR");
        assertThat((Integer) row.get("prompt_tokens")).isPositive();
        assertThat((Integer) row.get("completion_tokens")).as("the tokens produced before the break").isPositive();
        assertThat(FakeOpenAi.requests()).as("an answer the customer began to read is not asked for again").hasSize(1);
    }

    @Test
    void aLowConfidenceAnswerIsNeverShownWhileItStreams() {
        ModelAnswer doubtful = FakeOpenAi.withConfidence("I think the refund might be possible, maybe.", 0.2);
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(
                FakeOpenAi.answer(doubtful, 500, 0, 30).withChunkedDribbleDelay(10, 200)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        List<SseClient.Event> events;
        try (var stream = streamTurn(tenant, conversation, "Can I get a refund?")) {
            events = stream.readToEnd(WAIT);
        }

        assertThat(names(events)).containsSubsequence("accepted", "handoff", "delta", "completed");
        assertThat(names(events).subList(0, names(events).indexOf("handoff"))).doesNotContain("delta");
        assertThat(deltas(events)).doesNotContain("refund might be possible").contains("member of our team");
        assertThat(events.getLast().json().get("handoff").get("reason").asString()).isEqualTo("LOW_CONFIDENCE");
        assertThat(assistantReplies(tenant.id(), conversation)).containsExactly(deltas(events));
    }

    @Test
    void aRefusalBeforeTheStreamIsAPlainProblemResponse() {
        var tenant = fixtures.tenant();
        try (var stream = SseClient.post(port, "/api/v1/conversations/" + UUID.randomUUID() + "/messages",
                tenant.chatKey(), Map.of("content", "hello"), Map.of())) {
            assertThat(stream.status()).isEqualTo(404);
            assertThat(stream.header("Content-Type")).startsWith("application/problem+json");
            assertThat(stream.body()).contains("not-found");
        }
        assertThat(FakeOpenAi.requests()).isEmpty();
    }

    private SseClient streamTurn(Fixtures.Tenant tenant, UUID conversation, String content) {
        return SseClient.post(port, "/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", content), Map.of());
    }

    static List<String> names(List<SseClient.Event> events) {
        return events.stream().map(SseClient.Event::name).toList();
    }

    static String deltas(List<SseClient.Event> events) {
        return events.stream().filter(e -> e.name().equals("delta"))
                .map(e -> e.json().get("text").asString()).collect(Collectors.joining());
    }

    private List<String> assistantReplies(UUID tenant, UUID conversation) {
        return jdbc.sql("""
                        SELECT content FROM messages WHERE tenant_id = :t AND conversation_id = :c AND role = 'ASSISTANT'
                        ORDER BY seq""")
                .param("t", tenant).param("c", conversation).query(String.class).list();
    }
}
