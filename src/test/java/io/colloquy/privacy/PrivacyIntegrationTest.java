package io.colloquy.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.ModelAnswer;
import io.colloquy.support.FakeOpenAi;
import io.colloquy.support.Fixtures;
import io.colloquy.support.OpenAiIntegrationTestBase;
import io.colloquy.support.SseClient;
import io.colloquy.support.StoredText;
import tools.jackson.databind.JsonNode;

/**
 * One masking policy on every surface where someone other than the customer reads a conversation, the
 * redaction that keeps card numbers and a tenant's patterns from the model and the store, internal notes
 * kept from the customer, and patterns that cannot hold a thread. The model is the fake OpenAI server, so
 * what the model receives is read from its requests.
 */
class PrivacyIntegrationTest extends OpenAiIntegrationTestBase {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** A card number no other test uses, so finding it anywhere means this test put it there. */
    private static final String CARD = withLuhnCheckDigit("452811903377012");
    private static final String SPACED_CARD = CARD.replaceAll("(\\d{4})(?=\\d)", "$1 ");
    private static final String LAST4 = CARD.substring(12);

    @Test
    void everySurfaceAnAgentReadsIsMaskedWhileTheWidgetReadsWhatTheCustomerWrote() {
        var tenant = fixtures.tenant(Map.of("sensitivePatterns", List.of("PIN \\d{4}")));
        UUID conversation = fixtures.conversation(tenant);
        stub(new ModelAnswer("I see the card " + SPACED_CARD + ". A colleague will help.", 0.9, "card problem " + SPACED_CARD,
                true, "The customer shared PIN 4821", "Card " + SPACED_CARD + " was declined", "Call about PIN 4821",
                List.of(new ModelAnswer.Fact("card", SPACED_CARD)), List.of("Is PIN 4821 still valid?"), true));
        var turn = fixtures.say(tenant, conversation, "My card " + SPACED_CARD + " was declined, PIN 4821.");
        String handoffId = turn.get("handoff").get("id").asString();

        try (var agentEvents = events(tenant.agentKey(), conversation); var widgetEvents = events(tenant.chatKey(), conversation)) {
            // the transcript
            String asAgent = http.get("/api/v1/conversations/" + conversation + "/messages", tenant.agentKey()).text();
            assertMasked(asAgent);
            String asWidget = http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).text();
            assertThat(asWidget).as("the customer's widget reads what was written").contains(SPACED_CARD, "PIN 4821");

            // the memory view
            var memory = http.get("/api/v1/conversations/" + conversation + "/memory", tenant.agentKey());
            assertThat(memory.status()).isEqualTo(200);
            assertThat(memory.text()).contains("card");
            assertMasked(memory.text());

            // the handoff package, its open questions and the model's reason, as the list and as one handoff
            var handoff = http.get("/api/v1/handoffs/" + handoffId, tenant.agentKey());
            assertMasked(handoff.text());
            assertThat(handoff.body().get("package").get("openQuestions").toString()).contains("[masked]");
            assertThat(handoff.body().get("reasonDetail").asString()).contains("[masked]");
            assertThat(http.get("/api/v1/handoffs?status=PENDING", tenant.agentKey()).text())
                    .contains(handoffId, "The customer shared [masked]").doesNotContain("PIN 4821");

            // the live events: masked for the agent, as written for the widget
            var agentMessage = agentEvents.await(e -> "message".equals(e.name())
                    && e.json().get("message").get("role").asString().equals("CUSTOMER"), WAIT, "the customer's message");
            assertMasked(agentMessage.data());
            var widgetMessage = widgetEvents.await(e -> "message".equals(e.name())
                    && e.json().get("message").get("role").asString().equals("CUSTOMER"), WAIT, "the customer's message");
            assertThat(widgetMessage.data()).contains(SPACED_CARD);
        }
    }

    @Test
    void aWebhookCarriesTheReplyMasked() {
        stub(FakeOpenAi.confident("Your card " + SPACED_CARD + " is on file."));
        FakeOpenAi.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/hooks/privacy"))
                .willReturn(aResponse().withStatus(204)));
        var tenant = fixtures.tenant(Map.of("webhookUrl", "http://127.0.0.1:" + FakeOpenAi.server().port() + "/hooks/privacy",
                "webhookSecret", "whsec-0123456789abcdef"));
        UUID conversation = fixtures.conversation(tenant);
        var job = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", "Which card do you have?"));
        assertThat(job.status()).isEqualTo(202);

        await().atMost(WAIT).until(() ->
                !FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/privacy"))).isEmpty());
        JsonNode payload = FakeOpenAi.body(FakeOpenAi.server().findAll(postRequestedFor(urlEqualTo("/hooks/privacy"))).getFirst());
        assertThat(payload.get("reply").get("content").asString()).isEqualTo("Your card [card ending " + LAST4 + "] is on file.");
        // the widget's own view of the job is the reply as written
        String jobView = http.get("/api/v1/jobs/" + job.body().get("id").asString(), tenant.chatKey()).text();
        assertThat(jobView).contains(SPACED_CARD);
    }

    @Test
    void withRedactionTheModelTheMemoryAndTheStoreNeverHoldTheCardOrThePattern() {
        String secret = "ZQ-" + UUID.randomUUID().toString().substring(0, 8);
        var tenant = fixtures.tenant(Map.of("sensitivePatterns", List.of("ZQ-[0-9a-f]{8}"), "redactBeforeModel", true));
        UUID conversation = fixtures.conversation(tenant);
        stub(new ModelAnswer("Noted.", 0.9, "card update", false, null, "Customer gave a card", null,
                List.of(new ModelAnswer.Fact("card", "the card the customer gave")), List.of(), true));
        fixtures.say(tenant, conversation, "Please charge " + SPACED_CARD + " and use reference " + secret + ".");
        fixtures.say(tenant, conversation, "Also " + CARD + " for the second order, reference " + secret + ".");
        async(tenant, conversation, "And " + SPACED_CARD + " once more, " + secret + ".");

        var requests = FakeOpenAi.requests();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
        for (var request : requests) {
            assertThat(request.getBodyAsString()).doesNotContain(CARD.substring(0, 8), SPACED_CARD.substring(0, 9), secret);
        }
        String lastPrompt = FakeOpenAi.body(requests.getLast()).get("messages").toString();
        assertThat(lastPrompt).as("the model still reads the message, with the card reduced to its last four digits")
                .contains("[card ending " + LAST4 + "]", "[masked]");
        assertThat(StoredText.whereFound(jdbc, CARD.substring(0, 8))).as("the card's first digits, anywhere").isEmpty();
        assertThat(StoredText.whereFound(jdbc, SPACED_CARD.substring(0, 9))).isEmpty();
        assertThat(StoredText.whereFound(jdbc, secret)).as("the tenant's pattern, anywhere").isEmpty();
        assertThat(StoredText.whereFound(jdbc, secret.toLowerCase())).isEmpty();
    }

    @Test
    void internalNotesReachAgentsAndTheModelButNeverTheWidget() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String handoffId = fixtures.say(tenant, conversation, "Let me talk to a real person please.")
                .get("handoff").get("id").asString();
        assertThat(http.post("/api/v1/handoffs/" + handoffId + "/claim", tenant.agentKey(), Map.of()).status()).isEqualTo(200);
        assertThat(http.post("/api/v1/handoffs/" + handoffId + "/resolve", tenant.agentKey(),
                Map.of("returnToBot", true, "note", "Difficult customer, goodwill credit refused.")).status()).isEqualTo(200);

        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).text())
                .doesNotContain("goodwill credit").doesNotContain("SYSTEM");
        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.agentKey()).text())
                .contains("goodwill credit");
        try (var widget = events(tenant.chatKey(), conversation, "0")) {
            widget.await(e -> "ready".equals(e.name()), WAIT, "the stream");
            stub(FakeOpenAi.confident("Happy to help again."));
            fixtures.say(tenant, conversation, "Thanks, one more question.");
            widget.await(e -> "message".equals(e.name())
                    && e.json().get("message").get("role").asString().equals("ASSISTANT"), WAIT, "the reply");
            assertThat(widget.seen()).noneSatisfy(e -> assertThat(String.valueOf(e.data())).contains("goodwill credit"));
        }
        assertThat(FakeOpenAi.body(FakeOpenAi.requests().getLast()).get("messages").toString())
                .as("the model reads the note").contains("goodwill credit refused");
    }

    @Test
    void aPatternThatBacktracksForeverIsRefusedWhenSaved() {
        var tenant = fixtures.tenant();
        var refused = http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("sensitivePatterns", List.of("((a+)+)+b"))));
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.text()).contains("backtracks");
        var empty = http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("sensitivePatterns", List.of("x*"))));
        assertThat(empty.status()).as(empty.text()).isEqualTo(400);
        var fine = http.patch("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY,
                Map.of("settings", Map.of("sensitivePatterns", List.of("PIN \\d{4}"))));
        assertThat(fine.status()).as(fine.text()).isEqualTo(200);
    }

    // ---- helpers

    private static void assertMasked(String text) {
        assertThat(text).doesNotContain(SPACED_CARD).doesNotContain(CARD).doesNotContain("PIN 4821")
                .contains("[card ending " + LAST4 + "]");
    }

    private SseClient events(String key, UUID conversation) {
        return events(key, conversation, "0");
    }

    private SseClient events(String key, UUID conversation, String after) {
        return SseClient.get(port, "/api/v1/conversations/" + conversation + "/events?after=" + after, key, Map.of());
    }

    private void async(Fixtures.Tenant tenant, UUID conversation, String content) {
        var job = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", content));
        assertThat(job.status()).isEqualTo(202);
        String id = job.body().get("id").asString();
        await().atMost(WAIT).until(() -> "DONE".equals(
                http.get("/api/v1/jobs/" + id, tenant.chatKey()).body().get("status").asString()));
    }

    private static void stub(ModelAnswer answer) {
        FakeOpenAi.server().stubFor(FakeOpenAi.completions().willReturn(FakeOpenAi.answer(answer)));
    }

    static String withLuhnCheckDigit(String digits) {
        for (int check = 0; check <= 9; check++) {
            if (Masker.luhn(digits + check)) {
                return digits + check;
            }
        }
        throw new IllegalStateException();
    }
}
