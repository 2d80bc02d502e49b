package io.colloquy.memory;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.RecordingModel;
import io.colloquy.support.Fixtures;
import io.colloquy.usage.CallPurpose;
import tools.jackson.databind.JsonNode;

/**
 * The 300-turn conversation at the default budget, against a naive gateway that sends the whole
 * history every turn. Run by {@code bench/memory.sh}; not part of the test suite (tag "benchmark").
 */
@Tag("benchmark")
class MemoryBenchmark extends RecordingModelTestBase {

    static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    static final int[] CHECKPOINTS = {10, 50, 100, 300};

    @Autowired
    MeterRegistry meters;

    @Test
    void threeHundredTurnsAgainstTheNaiveFullHistoryPrompt() throws IOException {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        int budget = http.get("/api/v1/tenants/" + tenant.id(), Fixtures.ADMIN_KEY).body()
                .get("settings").get("contextTokenBudget").asInt();

        List<Integer> memoryPrompt = new ArrayList<>();
        List<Integer> naivePrompt = new ArrayList<>();
        List<String> history = new ArrayList<>();
        long naiveBilled = 0;
        for (String message : ScriptedConversation.messages()) {
            int before = RecordingModel.RECEIVED.size();
            JsonNode turn = fixtures.say(tenant, conversation, message);
            var chat = RecordingModel.RECEIVED.subList(before, RecordingModel.RECEIVED.size()).stream()
                    .filter(r -> r.purpose() == CallPurpose.CHAT).findFirst().orElseThrow();
            memoryPrompt.add(tokens(chat.messages()));
            // the naive gateway: the same instructions, then every message so far, verbatim
            history.add(message);
            int naive = tokens(List.of(chat.messages().getFirst())) + history.stream().mapToInt(h -> O200K.countTokens(h) + 4).sum();
            naivePrompt.add(naive);
            naiveBilled += naive + turn.get("usage").get("completionTokens").asInt();
            history.add(turn.get("reply").get("content").asString());
        }

        var billed = jdbc.sql("""
                        SELECT purpose, sum(prompt_tokens + completion_tokens) AS tokens, sum(cost_usd) AS cost, count(*) AS calls
                        FROM usage_ledger WHERE tenant_id = :t GROUP BY purpose""")
                .param("t", tenant.id()).query().listOfRows();
        long memoryBilled = billed.stream().mapToLong(r -> ((Number) r.get("tokens")).longValue()).sum();
        JsonNode memory = http.get("/api/v1/conversations/" + conversation + "/memory", tenant.agentKey()).body();
        String finalPrompt = RecordingModel.RECEIVED.stream().filter(r -> r.purpose() == CallPurpose.CHAT)
                .reduce((a, b) -> b).orElseThrow().messages().stream().map(PromptMessage::content)
                .reduce("", String::concat);
        List<String> planted = List.of(ScriptedConversation.NAME, ScriptedConversation.ORDER, ScriptedConversation.EMAIL,
                ScriptedConversation.PHONE, ScriptedConversation.AMOUNT, ScriptedConversation.DATE,
                ScriptedConversation.NEW_ADDRESS);
        long inMemory = planted.stream().filter(p -> memory.get("facts").toString().contains(p)).count();
        long inPrompt = planted.stream().filter(finalPrompt::contains).count();

        StringBuilder out = new StringBuilder();
        out.append("budget ").append(budget).append(" tokens, ").append(ScriptedConversation.TURNS).append(" turns\n\n");
        out.append("| turn | prompt tokens with memory | naive full-history prompt |\n| ---: | ---: | ---: |\n");
        for (int t : CHECKPOINTS) {
            out.append("| ").append(t).append(" | ").append(memoryPrompt.get(t - 1)).append(" | ")
                    .append(naivePrompt.get(t - 1)).append(" |\n");
        }
        out.append("\nlargest prompt with memory: ").append(memoryPrompt.stream().mapToInt(i -> i).max().orElse(0))
                .append(" tokens (budget ").append(budget).append(")\n");
        out.append("tokens billed (prompt + completion, chat and summarization): ").append(memoryBilled)
                .append("; naive: ").append(naiveBilled).append("\n");
        for (Map<String, Object> row : billed) {
            out.append("  ").append(row.get("purpose")).append(": ").append(row.get("calls")).append(" calls, ")
                    .append(row.get("tokens")).append(" tokens, $").append(((BigDecimal) row.get("cost")).stripTrailingZeros().toPlainString())
                    .append('\n');
        }
        out.append("compactions: ").append(memory.get("compactions").asInt()).append('\n');
        out.append("planted-fact recall: ").append(inMemory).append('/').append(planted.size()).append(" in the memory view, ")
                .append(inPrompt).append('/').append(planted.size()).append(" in the final prompt; intent: ")
                .append(memory.get("intent").asString()).append('\n');
        for (boolean compacted : new boolean[] {false, true}) {
            Timer timer = meters.get("colloquy.memory.prepare").tag("compacted", String.valueOf(compacted)).timer();
            out.append("memory assembly, ").append(compacted ? "turns that compacted (incl. the summarizer call)" : "turns without compaction")
                    .append(": n=").append(timer.count());
            for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
                out.append(", p").append((int) (p.percentile() * 100)).append(' ')
                        .append(String.format("%.2f ms", p.value(java.util.concurrent.TimeUnit.MICROSECONDS) / 1000.0));
            }
            out.append('\n');
        }
        Path results = Path.of("bench", "results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("memory.txt"), out.toString());
        System.out.println("\n" + out);
    }

    static int tokens(List<PromptMessage> messages) {
        int total = 3;
        for (PromptMessage m : messages) {
            total += O200K.countTokens(m.content()) + 4;
        }
        return total;
    }

}
