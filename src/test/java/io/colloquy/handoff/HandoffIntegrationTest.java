package io.colloquy.handoff;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.OpenAiIntegrationTestBase;
import tools.jackson.databind.JsonNode;

/** Triggers, the handoff package, and the agent queue, with the model played by a fake OpenAI server. */
class HandoffIntegrationTest extends OpenAiIntegrationTestBase {

    // ---- each trigger creates exactly one handoff with the right reason

    @Test
    void theModelAskingForAHumanHandsOff() {
        stub(FakeOpenAi.askingForHuman("Let me get a colleague.", "Refund exception needs approval"));
        assertOneHandoff(fixtures.tenant(), List.of("I need a refund outside the window for order A-12345."),
                "MODEL_REQUESTED");
    }

    @Test
    void confidenceUnderTheTenantsThresholdHandsOff() {
        stub(FakeOpenAi.withConfidence("I think so?", 0.3));
        assertOneHandoff(fixtures.tenant(), List.of("Can I return a custom-made item?"), "LOW_CONFIDENCE");
    }

    @Test
    void theCustomerAskingForAPersonHandsOffWithoutCallingTheModel() {
        stub(FakeOpenAi.confident("Sure."));
        assertOneHandoff(fixtures.tenant(), List.of("I want to speak to a human, please."), "CUSTOMER_REQUEST");
        assertThat(FakeOpenAi.requests()).isEmpty();
    }

    @Test
    void lowConfidenceThreeTurnsRunningHandsOff() {
        stub(FakeOpenAi.withConfidence("Possibly.", 0.6));
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        assertThat(fixtures.say(tenant, conversation, "Is the refund possible?").get("status").asString()).isEqualTo("BOT");
        assertThat(fixtures.say(tenant, conversation, "And how long does it take?").get("status").asString()).isEqualTo("BOT");
        var third = fixtures.say(tenant, conversation, "Will I get the shipping back too?");
        assertThat(third.get("handoff").get("reason").asString()).isEqualTo("LOW_CONFIDENCE_STREAK");
        assertThat(handoffCount(conversation)).isEqualTo(1);
    }

    @Test
    void aPolicyTopicOfTheTenantHandsOff() {
        stub(FakeOpenAi.confident("Sure."));
        assertOneHandoff(fixtures.tenant(Map.of("policyTopics", List.of("legal action"))),
                List.of("I am considering legal action about order A-12345."), "POLICY_TOPIC");
    }

    @Test
    void anUnavailableModelHandsOff() {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(500)));
        assertOneHandoff(fixtures.tenant(), List.of("Where is my parcel?"), "LLM_UNAVAILABLE");
    }

    @Test
    void aSpentBudgetHandsOffWhenTheTenantChoseHandoff() {
        stub(FakeOpenAi.confident("Sure."));
        // room for one call at its largest (its prompt and 600 completion tokens), not for a second after it
        var tenant = fixtures.tenant(Map.of("monthlyBudgetUsd", "0.0005", "hardLimitAction", "HANDOFF"));
        UUID conversation = fixtures.conversation(tenant);
        assertThat(fixtures.say(tenant, conversation, "First question").get("status").asString()).isEqualTo("BOT");
        var second = fixtures.say(tenant, conversation, "Second question");
        assertThat(second.get("handoff").get("reason").asString()).isEqualTo("BUDGET_EXHAUSTED");
        assertThat(FakeOpenAi.requests()).hasSize(1);
        assertThat(jdbc.sql("SELECT sum(cost_usd) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant.id())
                .query(java.math.BigDecimal.class).single()).isLessThanOrEqualTo(new java.math.BigDecimal("0.0005"));
    }

    // ---- the package

    @Test
    void thePackageHoldsEverythingTheAgentNeedsWithSensitiveContentMasked() {
        var tenant = fixtures.tenant(Map.of("sensitivePatterns", List.of("PIN \\d{4}")));
        UUID conversation = fixtures.conversation(tenant);
        stub(FakeOpenAi.withConfidence("Let me check that order.", 0.8));
        fixtures.say(tenant, conversation, "My order A-12345 arrived broken. My email is kim@example.com.");
        fixtures.say(tenant, conversation, "I paid with card 4111 1111 1111 1111 and my PIN 1234 is on file.");
        stub(FakeOpenAi.withConfidence("I am not sure about this refund.", 0.2));
        var turn = fixtures.say(tenant, conversation, "Can I get the refund on a different card?");
        String handoffId = turn.get("handoff").get("id").asString();
        fixtures.say(tenant, conversation, "Hello? I am still waiting.");

        var response = http.get("/api/v1/handoffs/" + handoffId, tenant.agentKey());
        assertThat(response.status()).isEqualTo(200);
        JsonNode handoff = response.body();
        assertThat(handoff.get("reason").asString()).isEqualTo("LOW_CONFIDENCE");
        assertThat(handoff.get("priority").asInt()).isEqualTo(HandoffReason.LOW_CONFIDENCE.priority());
        assertThat(handoff.get("status").asString()).isEqualTo("PENDING");
        assertThat(handoff.get("waitingSeconds").asLong()).isGreaterThanOrEqualTo(0);
        JsonNode pkg = handoff.get("package");
        assertThat(pkg.get("transcript")).hasSize(6);
        assertThat(pkg.get("transcript").get(0).get("content").asString()).contains("A-12345");
        assertThat(pkg.toString()).doesNotContain("4111 1111 1111 1111").doesNotContain("PIN 1234")
                .contains("[card ending 1111]").contains("[masked]");
        assertThat(pkg.get("facts").toString()).contains("A-12345", "kim@example.com");
        assertThat(pkg.get("intent").asString()).isEqualTo("refund request");
        assertThat(pkg.get("lastModelAnswer").get("confidence").asDouble()).isEqualTo(0.2);
        assertThat(pkg.get("lastModelAnswer").get("reasoningSummary").asString()).isNotBlank();
        assertThat(pkg.get("confidenceHistory").toString()).isEqualTo("[0.8,0.8,0.2]");
        assertThat(pkg.get("suggestedNextAction").asString()).isEqualTo("Check the refund policy for order A-12345");
        assertThat(pkg.get("messagesWhileWaiting")).hasSize(1);
        assertThat(pkg.get("messagesWhileWaiting").get(0).get("content").asString()).isEqualTo("Hello? I am still waiting.");
        assertThat(pkg.has("summary")).isTrue();
    }

    @Test
    void anUnreachableModelLeavesARuleBasedNextAction() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(503)));
        var turn = fixtures.say(tenant, conversation, "I want a refund for order B-99812.");
        JsonNode pkg = http.get("/api/v1/handoffs/" + turn.get("handoff").get("id").asString(), tenant.agentKey())
                .body().get("package");
        assertThat(pkg.get("suggestedNextAction").asString())
                .contains("unavailable").contains("B-99812").contains("I want a refund for order B-99812.");
    }

    @Test
    void aRuleBasedNextActionAnswersTheCustomersLatestMessageEvenOneSentWhileWaiting() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(aResponse().withStatus(503)));
        var turn = fixtures.say(tenant, conversation, "I want a refund for order B-99812.");
        String handoff = turn.get("handoff").get("id").asString();
        fixtures.say(tenant, conversation, "Also, my card 4111 1111 1111 1111 was charged twice.");

        JsonNode pkg = http.get("/api/v1/handoffs/" + handoff, tenant.agentKey()).body().get("package");

        assertThat(pkg.get("suggestedNextAction").asString())
                .contains("unavailable", "B-99812", "Also, my card [card ending 1111] was charged twice.")
                .doesNotContain("I want a refund for order B-99812.", "4111 1111");
        assertThat(FakeOpenAi.requests()).as("the model is not asked again for the suggestion").hasSize(3);
    }

    // ---- the queue

    @Test
    void twentyConcurrentClaimsHaveOneWinner() throws Exception {
        var tenant = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        var agentKeys = new ArrayList<String>();
        for (int i = 0; i < 20; i++) {
            agentKeys.add(fixtures.key(tenant.id(), "AGENT"));
        }
        var start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String key : agentKeys) {
                Callable<Integer> claim = () -> {
                    start.await();
                    return http.post("/api/v1/handoffs/" + handoffId + "/claim", key, Map.of()).status();
                };
                results.add(pool.submit(claim));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : results) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(200, 409);
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
        }
    }

    @Test
    void claimNextTakesTheMostUrgentAndAnEmptyQueueIs204() {
        var tenant = fixtures.tenant(Map.of("policyTopics", List.of("legal")));
        stub(FakeOpenAi.withConfidence("Hmm.", 0.3));
        UUID lowConfidence = fixtures.conversation(tenant);
        fixtures.say(tenant, lowConfidence, "Question one");
        UUID policy = fixtures.conversation(tenant);
        fixtures.say(tenant, policy, "This is a legal question");

        var first = http.post("/api/v1/handoffs/claim-next", tenant.agentKey(), Map.of("agentName", "Ada"));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().get("conversationId").asString()).isEqualTo(policy.toString());
        assertThat(first.body().get("claimedBy").asString()).isEqualTo("Ada");
        var second = http.post("/api/v1/handoffs/claim-next", tenant.agentKey(), Map.of());
        assertThat(second.body().get("conversationId").asString()).isEqualTo(lowConfidence.toString());
        assertThat(http.post("/api/v1/handoffs/claim-next", tenant.agentKey(), Map.of()).status()).isEqualTo(204);
    }

    @Test
    void messagesWhileWaitingReachTheAgentAndNeverTheModel() {
        var tenant = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        UUID conversation = conversationOf(tenant, handoffId);
        int modelCalls = FakeOpenAi.requests().size();

        var waiting = fixtures.say(tenant, conversation, "Are you there? My order number is C-4410.");
        claim(tenant, handoffId);
        var withAgent = fixtures.say(tenant, conversation, "Thanks for picking this up.");

        assertThat(waiting.get("reply").isNull()).isTrue();
        assertThat(waiting.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(withAgent.get("status").asString()).isEqualTo("WITH_AGENT");
        assertThat(FakeOpenAi.requests()).hasSize(modelCalls);
        JsonNode pkg = http.get("/api/v1/handoffs/" + handoffId, tenant.agentKey()).body().get("package");
        assertThat(pkg.get("messagesWhileWaiting")).hasSize(2);
        assertThat(pkg.get("messagesWhileWaiting").get(0).get("content").asString()).contains("C-4410");
    }

    @Test
    void theAgentsReplyReachesTheCustomerAndResolvingReturnsToTheBotWithANoteTheModelSees() {
        var tenant = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        UUID conversation = conversationOf(tenant, handoffId);
        claim(tenant, handoffId);

        var reply = http.post("/api/v1/handoffs/" + handoffId + "/messages", tenant.agentKey(),
                Map.of("content", "Hi, I'm Sam. I've approved your refund."));
        assertThat(reply.status()).isEqualTo(200);
        var transcript = http.get("/api/v1/conversations/" + conversation + "/messages?after=0", tenant.chatKey()).body();
        JsonNode last = transcript.get("messages").get(transcript.get("messages").size() - 1);
        assertThat(last.get("role").asString()).isEqualTo("AGENT");
        assertThat(last.get("content").asString()).isEqualTo("Hi, I'm Sam. I've approved your refund.");

        var resolved = http.post("/api/v1/handoffs/" + handoffId + "/resolve", tenant.agentKey(),
                Map.of("returnToBot", true, "note", "Refund approved as a one-off exception; do not offer another."));
        assertThat(resolved.status()).isEqualTo(200);
        assertThat(resolved.body().get("status").asString()).isEqualTo("RESOLVED");
        stub(FakeOpenAi.confident("Glad to help."));
        var next = fixtures.say(tenant, conversation, "Great, thanks! Can I also return a second item?");
        assertThat(next.get("status").asString()).isEqualTo("BOT");
        String prompt = FakeOpenAi.body(FakeOpenAi.requests().getLast()).get("messages").toString();
        assertThat(prompt).contains("Refund approved as a one-off exception; do not offer another.")
                .contains("Hi, I'm Sam. I've approved your refund.");
    }

    @Test
    void resolvingWithoutReturningClosesTheConversation() {
        var tenant = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        UUID conversation = conversationOf(tenant, handoffId);
        claim(tenant, handoffId);
        http.post("/api/v1/handoffs/" + handoffId + "/resolve", tenant.agentKey(), Map.of("returnToBot", false));
        assertThat(http.get("/api/v1/conversations/" + conversation, tenant.chatKey()).body().get("status").asString())
                .isEqualTo("CLOSED");
        var after = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "one more thing"));
        assertThat(after.status()).isEqualTo(409);
    }

    @Test
    void releaseAndAnExpiredLeaseReturnTheHandoffToTheQueue() {
        var tenant = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        UUID conversation = conversationOf(tenant, handoffId);
        claim(tenant, handoffId);
        var released = http.post("/api/v1/handoffs/" + handoffId + "/release", tenant.agentKey(), Map.of());
        assertThat(released.body().get("status").asString()).isEqualTo("PENDING");
        assertThat(status(tenant, conversation)).isEqualTo("AWAITING_AGENT");

        claim(tenant, handoffId);
        assertThat(status(tenant, conversation)).isEqualTo("WITH_AGENT");
        // nobody acts on the claim until its lease runs out: moved into the past here rather than waited for
        jdbc.sql("UPDATE handoffs SET lease_until = now() - interval '1 second' WHERE tenant_id = :t AND id = :id")
                .param("t", tenant.id()).param("id", UUID.fromString(handoffId)).update();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/api/v1/handoffs/" + handoffId, tenant.agentKey()).body().get("status").asString())
                        .isEqualTo("PENDING"));
        assertThat(status(tenant, conversation)).isEqualTo("AWAITING_AGENT");
        var reply = http.post("/api/v1/handoffs/" + handoffId + "/messages", tenant.agentKey(), Map.of("content", "late"));
        assertThat(reply.status()).as("a claim that expired cannot be acted on").isEqualTo(409);
    }

    @Test
    void anotherTenantsAgentSees404() {
        var tenant = fixtures.tenant();
        var other = fixtures.tenant();
        String handoffId = openHandoff(tenant);
        assertThat(http.get("/api/v1/handoffs/" + handoffId, other.agentKey()).status()).isEqualTo(404);
        assertThat(http.post("/api/v1/handoffs/" + handoffId + "/claim", other.agentKey(), Map.of()).status()).isEqualTo(404);
        assertThat(http.post("/api/v1/handoffs/claim-next", other.agentKey(), Map.of()).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/handoffs", other.agentKey()).body().get("handoffs")).isEmpty();
        assertThat(http.get("/api/v1/handoffs/" + handoffId, tenant.chatKey()).status()).as("a chat key is no agent")
                .isEqualTo(403);
    }

    // ---- helpers

    private void stub(io.colloquy.llm.ModelAnswer answer) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answer(answer)));
    }

    private void assertOneHandoff(Fixtures.Tenant tenant, List<String> messages, String reason) {
        UUID conversation = fixtures.conversation(tenant);
        JsonNode turn = null;
        for (String m : messages) {
            turn = fixtures.say(tenant, conversation, m);
        }
        assertThat(turn.get("status").asString()).isEqualTo("AWAITING_AGENT");
        assertThat(turn.get("handoff").get("reason").asString()).isEqualTo(reason);
        assertThat(turn.get("reply").get("content").asString()).contains("member of our team");
        fixtures.say(tenant, conversation, "Any news?");
        assertThat(handoffCount(conversation)).isEqualTo(1);
        var listed = http.get("/api/v1/handoffs?status=PENDING", tenant.agentKey()).body().get("handoffs");
        assertThat(listed).anySatisfy(h -> assertThat(h.get("reason").asString()).isEqualTo(reason));
    }

    private String openHandoff(Fixtures.Tenant tenant) {
        UUID conversation = fixtures.conversation(tenant);
        return fixtures.say(tenant, conversation, "Let me talk to a real person about order A-12345.")
                .get("handoff").get("id").asString();
    }

    private void claim(Fixtures.Tenant tenant, String handoffId) {
        var claimed = http.post("/api/v1/handoffs/" + handoffId + "/claim", tenant.agentKey(), Map.of());
        assertThat(claimed.status()).as(claimed.text()).isEqualTo(200);
        assertThat(claimed.body().get("package").get("transcript")).isNotEmpty();
    }

    private UUID conversationOf(Fixtures.Tenant tenant, String handoffId) {
        return UUID.fromString(http.get("/api/v1/handoffs/" + handoffId, tenant.agentKey()).body()
                .get("conversationId").asString());
    }

    private String status(Fixtures.Tenant tenant, UUID conversation) {
        return http.get("/api/v1/conversations/" + conversation, tenant.chatKey()).body().get("status").asString();
    }

    private long handoffCount(UUID conversation) {
        return jdbc.sql("SELECT count(*) FROM handoffs WHERE conversation_id = :c").param("c", conversation)
                .query(Long.class).single();
    }

}
