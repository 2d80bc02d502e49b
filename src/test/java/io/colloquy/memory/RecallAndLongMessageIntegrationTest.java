package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.RecordingModel;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.usage.CallPurpose;
import tools.jackson.databind.JsonNode;

/**
 * Recall through the API (an archived message quoted with its time, shown in the memory view and the
 * handoff package), and long customer messages: within the limit they reach the model whole, their end
 * included; over it they are refused with the limit before anything is stored.
 */
class RecallAndLongMessageIntegrationTest extends RecordingModelTestBase {

    static final int BUDGET = 1000;
    static final String PLANTED = "By the way, the code for my storage locker at Quayside is 4471.";

    @Test
    void anArchivedMessageIsQuotedWithItsTimeAndShownInTheMemoryViewAndTheHandoffPackage() {
        RecordingModel.reset(RecordingModel.Summarizer.USELESS);
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", BUDGET));
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, PLANTED);
        int turns = 1;
        while (memory(tenant, conversation).get("coveredThroughSeq").asInt() < 2) {
            fixtures.say(tenant, conversation, ScriptedConversation.messages().get(4 + turns % 20));
            assertThat(++turns).as("the planted message is archived within 60 turns").isLessThan(60);
        }
        assertThat(memory(tenant, conversation).get("summary").asString()).doesNotContain("4471");

        fixtures.say(tenant, conversation, "What was the code for my storage locker again?");

        String prompt = lastChatPrompt();
        assertThat(prompt).contains(RecallQuotes.HEADER.strip());
        assertThat(prompt).containsPattern("\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}] Customer: \""
                + java.util.regex.Pattern.quote(PLANTED) + "\"");
        JsonNode recalled = memory(tenant, conversation).get("recalled");
        assertThat(recalled).hasSize(1);
        assertThat(recalled.get(0).get("seq").asInt()).isEqualTo(1);
        assertThat(recalled.get(0).get("role").asString()).isEqualTo("CUSTOMER");
        assertThat(recalled.get(0).get("quote").asString()).isEqualTo(PLANTED);
        assertThat(recalled.get(0).get("createdAt").asString()).isNotBlank();

        // the model asks for a person on this turn: the package carries what the model was shown
        fixtures.say(tenant, conversation, "Where is my storage locker code written down? A human should check this.");
        JsonNode queue = http.get("/api/v1/handoffs", tenant.agentKey()).body().get("handoffs");
        String handoff = queue.get(0).get("id").asString();
        JsonNode pkg = http.get("/api/v1/handoffs/" + handoff, tenant.agentKey()).body().get("package");
        assertThat(pkg.get("recalled")).isNotEmpty();
        assertThat(pkg.get("recalled").get(0).get("quote").asString()).contains("4471");
    }

    @Test
    void aConversationWithNothingArchivedRecallsNothing() {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", 4000));
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, PLANTED);
        fixtures.say(tenant, conversation, "What was the code for my storage locker again?");
        assertThat(memory(tenant, conversation).get("coveredThroughSeq").asInt()).isZero();
        assertThat(memory(tenant, conversation).get("recalled")).isEmpty();
        assertThat(lastChatPrompt()).doesNotContain(RecallQuotes.HEADER.strip()).contains(PLANTED);
    }

    @Test
    void aLongMessageWithinTheLimitReachesTheModelWholeEvenAfterALongConversation() {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", BUDGET));
        UUID conversation = fixtures.conversation(tenant);
        // a memory that fills its shares: many pinned facts, and a summary the simulated summarizer keeps long
        String[] things = {"colour", "season", "fruit", "city", "film", "band", "sport", "dessert", "flower", "drink",
            "game", "painter", "author", "holiday", "animal", "number"};
        for (int i = 0; i < things.length; i++) {
            fixtures.say(tenant, conversation, "My favourite " + things[i] + " is option " + (i + 11)
                    + ", and I want you to remember that for order A-55123.");
        }
        for (String m : ScriptedConversation.messages().subList(4, 24)) {
            fixtures.say(tenant, conversation, m);
        }
        // just under the limit (half the budget): with the instructions and the memory it would not all fit
        StringBuilder story = new StringBuilder();
        while (RecallMeasurement.O200K.countTokens(story + "I want to cancel.") < BUDGET / 2 - 24) {
            story.append("Let me explain everything that happened with the parcel from the beginning. ");
        }
        String message = story + "I want to cancel.";

        var turn = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", message));

        assertThat(turn.status()).as(turn.text()).isEqualTo(200);
        List<PromptMessage> prompt = lastChat().messages();
        assertThat(prompt.getLast().content()).isEqualTo(message).endsWith("I want to cancel.");
        assertThat(prompt.get(1).content()).as("the memory gave way but pinned facts stay").contains("favourite");
        assertThat(RecallMeasurement.tokens(prompt)).as("the prompt was under pressure").isGreaterThan(BUDGET * 9 / 10);
        assertThat(prompt).as("the older messages gave way first").hasSize(3);
        assertThat(RecallMeasurement.tokens(prompt)).isLessThanOrEqualTo(BUDGET);
    }

    @Test
    void aMessageTooLongForOnePromptIsRefusedWithTheLimitBeforeAnythingIsStored() {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", BUDGET));
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "Hello, I have a question about my order A-55123.");
        String message = "Here is the whole story of my order, in detail. ".repeat(120) + "I want to cancel.";

        var sync = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", message));
        var async = http.post("/api/v1/conversations/" + conversation + "/messages:async", tenant.chatKey(),
                Map.of("content", message));

        for (Http.Response refused : List.of(sync, async)) {
            assertThat(refused.status()).as(refused.text()).isEqualTo(413);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body().get("type").asString()).endsWith("/message-too-long");
            assertThat(refused.body().get("maxMessageTokens").asInt()).isEqualTo(BUDGET / 2);
            assertThat(refused.body().get("messageTokens").asInt()).isGreaterThan(BUDGET / 2);
            assertThat(refused.body().get("detail").asString()).contains(String.valueOf(BUDGET / 2));
        }
        JsonNode messages = http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).body()
                .get("messages");
        assertThat(messages).hasSize(2);
        long jobs = jdbc.sql("SELECT count(*) FROM async_jobs WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
        assertThat(jobs).isZero();
    }

    private JsonNode memory(Fixtures.Tenant tenant, UUID conversation) {
        return http.get("/api/v1/conversations/" + conversation + "/memory", tenant.agentKey()).body();
    }

    private static RecordingModel.Received lastChat() {
        return RecordingModel.RECEIVED.stream().filter(r -> r.purpose() == CallPurpose.CHAT).reduce((a, b) -> b)
                .orElseThrow();
    }

    private static String lastChatPrompt() {
        return String.join("\n", lastChat().messages().stream().map(PromptMessage::content).toList());
    }
}
