package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.support.Fixtures;
import io.colloquy.support.ServiceTestBase;

class ChatTurnIntegrationTest extends ServiceTestBase {




    @Test
    void aWidgetStartsAConversationAndGetsTheModelsReply() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Hi, I would like a refund for order A-12345 please.");

        assertThat(turn.get("conversationId").asString()).isEqualTo(conversation.toString());
        assertThat(turn.get("status").asString()).isEqualTo("BOT");
        assertThat(turn.get("customerSeq").asInt()).isEqualTo(1);
        assertThat(turn.get("reply").get("seq").asInt()).isEqualTo(2);
        assertThat(turn.get("reply").get("role").asString()).isEqualTo("ASSISTANT");
        assertThat(turn.get("reply").get("content").asString()).startsWith("(simulated)").contains("refund");
        assertThat(turn.get("handoff").isNull()).isTrue();
        assertThat(turn.get("usage").get("promptTokens").asInt()).isPositive();
        assertThat(turn.get("usage").get("completionTokens").asInt()).isPositive();
        assertThat(turn.get("usage").get("costUsd").isString()).as("money is a decimal string").isTrue();
        assertThat(new java.math.BigDecimal(turn.get("usage").get("costUsd").asString())).isPositive();

        var transcript = http.get("/api/v1/conversations/" + conversation + "/messages?after=0", tenant.chatKey());
        assertThat(transcript.status()).isEqualTo(200);
        assertThat(transcript.body().get("messages")).hasSize(2);
        assertThat(transcript.body().get("messages").get(0).get("role").asString()).isEqualTo("CUSTOMER");
        assertThat(transcript.body().get("messages").get(0).get("content").asString()).contains("A-12345");

        var after = http.get("/api/v1/conversations/" + conversation + "/messages?after=1", tenant.chatKey());
        assertThat(after.body().get("messages")).hasSize(1);
        assertThat(after.body().get("messages").get(0).get("seq").asInt()).isEqualTo(2);

        var status = http.get("/api/v1/conversations/" + conversation, tenant.chatKey());
        assertThat(status.body().get("status").asString()).isEqualTo("BOT");
        assertThat(status.body().get("lastSeq").asInt()).isEqualTo(2);
    }

    @Test
    void everyModelCallLeavesAUsageRowWithTenantAndConversation() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var first = fixtures.say(tenant, conversation, "Where is my delivery? Tracking number ZX-99881.");
        var second = fixtures.say(tenant, conversation, "It was supposed to arrive on 2026-11-20.");

        var rows = jdbc.sql("""
                        SELECT tenant_id, conversation_id, purpose, provider, model, prompt_tokens, completion_tokens,
                               tokens_estimated, outcome, cost_usd, priced
                        FROM usage_ledger WHERE tenant_id = :tenant ORDER BY occurred_at""")
                .param("tenant", tenant.id())
                .query().listOfRows();
        assertThat(rows).hasSize(2);
        for (Map<String, Object> row : rows) {
            assertThat(row.get("conversation_id")).isEqualTo(conversation);
            assertThat(row.get("purpose")).isEqualTo("CHAT");
            assertThat(row.get("provider")).isEqualTo("simulated");
            assertThat(row.get("outcome")).isEqualTo("SUCCESS");
            assertThat((Integer) row.get("prompt_tokens")).isPositive();
            assertThat((Boolean) row.get("priced")).isTrue();
        }
        assertThat(rows.get(0).get("prompt_tokens")).isEqualTo(first.get("usage").get("promptTokens").asInt());
        assertThat(rows.get(1).get("prompt_tokens")).isEqualTo(second.get("usage").get("promptTokens").asInt());
        // the second prompt carries the first exchange as well
        assertThat((Integer) rows.get(1).get("prompt_tokens")).isGreaterThan((Integer) rows.get(0).get("prompt_tokens"));
    }

    @Test
    void theSameIdempotencyKeyAndBodyReturnsTheFirstAnswerAndCallsTheModelOnce() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String path = "/api/v1/conversations/" + conversation + "/messages";
        Map<String, String> key = Map.of("Idempotency-Key", "turn-1");

        var first = http.post(path, tenant.chatKey(), Map.of("content", "I want to cancel order B-2231"), key);
        var again = http.post(path, tenant.chatKey(), Map.of("content", "I want to cancel order B-2231"), key);
        var other = http.post(path, tenant.chatKey(), Map.of("content", "Something else entirely"), key);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.body().get("type").asString()).endsWith("/idempotency-key-reused");
        assertThat(countLedger(tenant.id())).isEqualTo(1);
        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey())
                .body().get("messages")).hasSize(2);
    }

    @Test
    void messagesWhileAPersonOwnsTheConversationNeverReachTheModel() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var handoff = fixtures.say(tenant, conversation, "Please let me talk to a human.");
        var waiting = fixtures.say(tenant, conversation, "Hello? Is anyone there?");

        assertThat(handoff.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(handoff.get("handoff").get("reason").asString()).isEqualTo("CUSTOMER_REQUEST");
        assertThat(waiting.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(waiting.get("reply").isNull()).isTrue();
        assertThat(waiting.get("handoff").get("id").asString()).isEqualTo(handoff.get("handoff").get("id").asString());
        assertThat(countLedger(tenant.id())).isZero();
    }

    long countLedger(UUID tenant) {
        return jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant)
                .query(Long.class).single();
    }

    static List<String> roles(String... r) {
        return List.of(r);
    }
}
