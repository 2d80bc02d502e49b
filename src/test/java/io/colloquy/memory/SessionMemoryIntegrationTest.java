package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.RecordingModel;
import io.colloquy.support.Fixtures;
import io.colloquy.usage.CallPurpose;
import tools.jackson.databind.JsonNode;

/**
 * The 300-turn conversation through the HTTP API, with a small budget so memory compacts often:
 * every prompt stays within the budget, and the planted facts, the changed fact's latest value and
 * the intent survive to the end.
 */
class SessionMemoryIntegrationTest extends RecordingModelTestBase {

    static final int BUDGET = 1000;
    static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    @Test
    void aThreeHundredTurnConversationStaysInBudgetAndKeepsItsFactsAndIntent() {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var run = converse();

        assertEveryPromptWithinBudget();
        assertFactsSurvive(run.memory());
        assertThat(run.memory().get("compactions").asInt()).isGreaterThan(10);
        assertThat(run.memory().get("tokens").get("budget").asInt()).isEqualTo(BUDGET);
        assertThat(run.memory().get("tokens").get("lastPrompt").asInt()).isBetween(1, BUDGET);

        String lastPrompt = lastChatPrompt();
        assertThat(lastPrompt).contains(ScriptedConversation.ORDER, ScriptedConversation.EMAIL,
                ScriptedConversation.NEW_ADDRESS);
        assertStaleAddressOnlyMarkedOutdated(lastPrompt);

        long summarizations = jdbc.sql("""
                        SELECT count(*) FROM usage_ledger
                        WHERE tenant_id = :t AND conversation_id = :c AND purpose = 'SUMMARIZATION'""")
                .param("t", run.tenant().id()).param("c", run.conversation()).query(Long.class).single();
        assertThat(summarizations).as("summarization calls are attributed to the tenant and conversation")
                .isEqualTo(run.memory().get("compactions").asLong());
    }

    @Test
    void pinnedFactsSurviveASummarizerThatReturnsNothingUseful() {
        RecordingModel.reset(RecordingModel.Summarizer.USELESS);
        var run = converse();

        assertEveryPromptWithinBudget();
        // the summary lost everything: this is what the harness would see if facts were not pinned
        assertThat(run.memory().get("summary").asString()).doesNotContain(ScriptedConversation.ORDER);
        assertThat(run.memory().get("summary").asString()).doesNotContain(ScriptedConversation.EMAIL);
        assertFactsSurvive(run.memory());
        assertThat(lastChatPrompt()).contains(ScriptedConversation.ORDER, ScriptedConversation.NEW_ADDRESS);
        assertStaleAddressOnlyMarkedOutdated(lastChatPrompt());
    }

    @Test
    void turnsKeepWorkingAndStayInBudgetWhenTheSummarizerFails() {
        RecordingModel.reset(RecordingModel.Summarizer.FAILING);
        var run = converse();

        assertEveryPromptWithinBudget();
        assertFactsSurvive(run.memory());
        assertThat(run.memory().get("extractiveCompactions").asInt()).isGreaterThan(10);
        assertThat(run.memory().get("summary").asString()).isNotBlank();
        long failed = jdbc.sql("""
                        SELECT count(*) FROM usage_ledger WHERE tenant_id = :t AND purpose = 'SUMMARIZATION'
                        AND outcome = 'SERVER_ERROR'""")
                .param("t", run.tenant().id()).query(Long.class).single();
        assertThat(failed).as("failed summarizer attempts are in the ledger").isPositive();
    }

    record Run(Fixtures.Tenant tenant, UUID conversation, JsonNode memory) {
    }

    private Run converse() {
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", BUDGET));
        UUID conversation = fixtures.conversation(tenant);
        List<String> script = ScriptedConversation.messages();
        for (int i = 0; i < script.size(); i++) {
            JsonNode turn = fixtures.say(tenant, conversation, script.get(i));
            assertThat(turn.get("status").asString()).as("turn %d", i + 1).isEqualTo("BOT");
            assertThat(turn.get("reply").get("content").asString()).startsWith("(simulated)");
        }
        var memory = http.get("/api/v1/conversations/" + conversation + "/memory", tenant.agentKey());
        assertThat(memory.status()).isEqualTo(200);
        return new Run(tenant, conversation, memory.body());
    }

    /** Counted independently of the service: content tokens plus the chat formatting overhead. */
    private void assertEveryPromptWithinBudget() {
        assertThat(RecordingModel.RECEIVED).hasSizeGreaterThan(ScriptedConversation.TURNS);
        for (RecordingModel.Received received : RecordingModel.RECEIVED) {
            int tokens = 3;
            for (PromptMessage m : received.messages()) {
                tokens += O200K.countTokens(m.content()) + 4;
            }
            assertThat(tokens).as("a %s prompt", received.purpose()).isLessThanOrEqualTo(BUDGET);
        }
    }

    /** Every planted fact, the latest value of the changed one (with the old one marked), and the intent. */
    private static void assertFactsSurvive(JsonNode memory) {
        assertThat(memory.get("intent").asString()).as("the intent stated once").contains("refund");
        Map<String, JsonNode> facts = new java.util.HashMap<>();
        memory.get("facts").forEach(f -> facts.put(f.get("key").asString(), f));
        List<String> values = facts.values().stream().map(f -> f.get("value").asString()).toList();
        assertThat(values).contains(ScriptedConversation.NAME, ScriptedConversation.ORDER, ScriptedConversation.EMAIL,
                ScriptedConversation.PHONE, ScriptedConversation.AMOUNT, ScriptedConversation.DATE);
        JsonNode address = facts.get("delivery_address");
        assertThat(address.get("value").asString()).isEqualTo(ScriptedConversation.NEW_ADDRESS);
        assertThat(address.get("previousValue").asString()).isEqualTo(ScriptedConversation.OLD_ADDRESS);
        assertThat(values).doesNotContain(ScriptedConversation.OLD_ADDRESS);
    }

    /** The old address may appear only where it is marked as replaced. */
    private static void assertStaleAddressOnlyMarkedOutdated(String prompt) {
        String old = ScriptedConversation.OLD_ADDRESS;
        String unmarked = prompt
                .replace("earlier value " + old + " is outdated", "")
                .replace(old + " [outdated, now " + ScriptedConversation.NEW_ADDRESS + "]", "");
        assertThat(unmarked).as("the stale address is never presented as current").doesNotContain(old);
    }

    private static String lastChatPrompt() {
        List<RecordingModel.Received> chats = RecordingModel.RECEIVED.stream()
                .filter(r -> r.purpose() == CallPurpose.CHAT).toList();
        return chats.getLast().messages().stream().map(PromptMessage::content)
                .reduce("", (a, b) -> a + "\n" + b);
    }
}
