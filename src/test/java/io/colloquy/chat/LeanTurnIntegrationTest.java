package io.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.HeldAnswers;
import io.colloquy.support.OpenAiIntegrationTestBase;

/**
 * The synchronous turn's lean path through the real OpenAI client: the answered call's usage commits
 * in the answer's own transaction (one commit for both), and is still recorded when that transaction
 * cannot commit, because the provider billed the call either way.
 */
class LeanTurnIntegrationTest extends OpenAiIntegrationTestBase {

    @Test
    void theAnswerAndItsUsageCommitInOneTransaction() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Your parcel left the depot."), 700, 0, 30)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);

        var turn = fixtures.say(tenant, conversation, "Where is my parcel?");

        assertThat(turn.get("usage").get("promptTokens").asInt()).isEqualTo(700);
        assertThat(turn.get("usage").get("completionTokens").asInt()).isEqualTo(30);
        // rows written by one transaction carry its id as xmin
        String replyTransaction = jdbc.sql("""
                        SELECT xmin::text FROM messages
                        WHERE tenant_id = :t AND conversation_id = :c AND role = 'ASSISTANT'""")
                .param("t", tenant.id()).param("c", conversation).query(String.class).single();
        String usageTransaction = jdbc.sql("""
                        SELECT xmin::text FROM usage_ledger
                        WHERE tenant_id = :t AND conversation_id = :c AND purpose = 'CHAT'""")
                .param("t", tenant.id()).param("c", conversation).query(String.class).single();
        String customerTransaction = jdbc.sql("""
                        SELECT xmin::text FROM messages
                        WHERE tenant_id = :t AND conversation_id = :c AND role = 'CUSTOMER'""")
                .param("t", tenant.id()).param("c", conversation).query(String.class).single();
        assertThat(usageTransaction).as("the usage row commits with the reply").isEqualTo(replyTransaction);
        assertThat(customerTransaction).as("the customer's message was durable before the model was asked")
                .isNotEqualTo(replyTransaction);
    }

    @Test
    void theAnsweredCallIsRecordedWhenTheAnswerCannotBeStored() throws Exception {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions()
                .willReturn(FakeOpenAi.answer(FakeOpenAi.confident("Here is your answer."), 640, 0, 20)
                        .withTransformers(HeldAnswers.NAME)));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String path = "/api/v1/conversations/" + conversation + "/messages";

        HeldAnswers held = HeldAnswers.hold();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var turn = pool.submit(() -> http.post(path, tenant.chatKey(), Map.of("content", "Is my order late?")));
            held.awaitArrival();
            // while the model answers, the turn is taken over (as the recovery does when a turn outlives its
            // lease): the answer's transaction finds the turn gone and rolls back
            jdbc.sql("UPDATE conversations SET turn_token = gen_random_uuid() WHERE tenant_id = :t AND id = :c")
                    .param("t", tenant.id()).param("c", conversation).update();
            Instant released = Instant.now();
            held.release();

            var answer = turn.get();
            assertThat(answer.status()).isEqualTo(503);
            assertThat(answer.body().get("type").asString()).endsWith("/turn-interrupted");
            // the call the provider answered (it started before the release; a later answer of the queued
            // message would start after it) is in the ledger, with the provider's counts
            var row = jdbc.sql("""
                            SELECT prompt_tokens, completion_tokens FROM usage_ledger
                            WHERE tenant_id = :t AND conversation_id = :c AND purpose = 'CHAT' AND outcome = 'SUCCESS'
                            AND occurred_at < :released""")
                    .param("t", tenant.id()).param("c", conversation).param("released", Timestamp.from(released))
                    .query().singleRow();
            assertThat(row.get("prompt_tokens")).isEqualTo(640);
            assertThat(row.get("completion_tokens")).isEqualTo(20);
        } finally {
            held.release();
            // the message was queued to be answered once the stolen turn's lease runs out: erased (its job with it),
            // so no late model call reaches the fake server during another test
            jdbc.sql("DELETE FROM conversations WHERE tenant_id = :t AND id = :c")
                    .param("t", tenant.id()).param("c", conversation).update();
        }
    }
}
