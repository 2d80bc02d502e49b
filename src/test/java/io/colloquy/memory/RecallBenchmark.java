package io.colloquy.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.llm.RecordingModel;
import io.colloquy.llm.TokenCounter;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.usage.CallPurpose;

/**
 * Recall over long everyday conversations ({@link LongConversations}) at a 2,000-token budget: how often
 * the prompt for a question about something said long ago holds the answer, against a sliding window of
 * the same budget, with a useless summarizer and with the simulated one; prompt tokens per turn; the time
 * recall adds to a turn at 1,000 archived messages; and what indexing costs, against indexing every
 * message as it is inserted. Run by {@code bench/recall.sh}; not part of the test suite (tag "benchmark").
 */
@Tag("benchmark")
class RecallBenchmark extends RecordingModelTestBase {

    static final int BUDGET = 2000;
    static final long[] SEEDS = seeds();

    @Autowired
    MeterRegistry meters;
    @Autowired
    RecallIndex recallIndex;
    @Autowired
    TokenCounter tokens;

    @Test
    void recallAgainstTheSlidingWindow() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("budget ").append(BUDGET).append(" tokens; seeds ").append(Arrays.toString(SEEDS))
                .append("; each conversation 16 sessions x 26 turns, then its questions\n\n");
        out.append("| summarizer | seed | turns | questions | Colloquy holds the answer | (facts / recall / summary / verbatim) "
                + "| sliding window holds it | chat prompt tokens per turn: mean / p50 / max | sliding window's prompt: mean "
                + "| largest prompt of any kind | summarization calls |\n"
                + "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |\n");
        for (RecordingModel.Summarizer mode : List.of(RecordingModel.Summarizer.USELESS, RecordingModel.Summarizer.NORMAL)) {
            long totalQuestions = 0;
            long totalColloquy = 0;
            long totalWindow = 0;
            for (long seed : SEEDS) {
                RecordingModel.reset(mode);
                var conversation = LongConversations.generate(seed, 16, 26);
                var r = RecallMeasurement.run(http, fixtures, conversation, BUDGET);
                long summarizations = RecordingModel.RECEIVED.stream()
                        .filter(x -> x.purpose() == CallPurpose.SUMMARIZATION).count();
                int[] chat = r.chatPromptTokens().stream().mapToInt(i -> i).sorted().toArray();
                out.append("| ").append(mode == RecordingModel.Summarizer.USELESS ? "useless (\"OK.\")" : "simulated")
                        .append(" | ").append(seed).append(" | ").append(conversation.turns().size())
                        .append(" | ").append(r.answers().size())
                        .append(" | ").append(r.colloquyHits())
                        .append(" | ").append(r.from(RecallMeasurement.Source.FACTS)).append(" / ")
                        .append(r.from(RecallMeasurement.Source.RECALL)).append(" / ")
                        .append(r.from(RecallMeasurement.Source.SUMMARY)).append(" / ")
                        .append(r.from(RecallMeasurement.Source.VERBATIM))
                        .append(" | ").append(r.windowHits())
                        .append(" | ").append(Math.round(Arrays.stream(chat).average().orElse(0))).append(" / ")
                        .append(chat[chat.length / 2]).append(" / ").append(chat[chat.length - 1])
                        .append(" | ").append(Math.round(r.windowPromptTokens().stream().mapToInt(i -> i).average().orElse(0)))
                        .append(" | ").append(r.largestPrompt())
                        .append(" | ").append(summarizations).append(" |\n");
                totalQuestions += r.answers().size();
                totalColloquy += r.colloquyHits();
                totalWindow += r.windowHits();
                for (var a : r.answers()) {
                    if (a.colloquy() == RecallMeasurement.Source.MISSING) {
                        out.append("|  |  |  |  | missed: ").append(a.question().text()).append(" (").append(a.question().answer())
                                .append(", said at turn ").append(a.question().plantedAtTurn()).append(") |  |  |  |  |  |  |\n");
                    }
                }
            }
            out.append("| **").append(mode == RecordingModel.Summarizer.USELESS ? "useless" : "simulated")
                    .append(", all seeds** |  |  | ").append(totalQuestions).append(" | **").append(totalColloquy)
                    .append(String.format(" (%.0f %%)", 100.0 * totalColloquy / totalQuestions)).append("** |  | **")
                    .append(totalWindow).append(String.format(" (%.0f %%)", 100.0 * totalWindow / totalQuestions))
                    .append("** |  |  |  |  |\n");
        }
        Timer recallTimer = meters.get("colloquy.memory.recall").timer();
        out.append("\nrecall during these runs (every turn of a conversation with an archive): ")
                .append(describe(recallTimer)).append('\n');
        for (boolean compacted : new boolean[] {false, true}) {
            out.append("memory assembly, ").append(compacted ? "turns that compacted" : "turns without compaction")
                    .append(": ").append(describe(meters.get("colloquy.memory.prepare")
                            .tag("compacted", String.valueOf(compacted)).timer())).append('\n');
        }
        out.append('\n').append(latencyAtAThousandArchived(http, fixtures));
        Path results = Path.of("bench", "results");
        Files.createDirectories(results);
        Files.writeString(results.resolve("recall.txt"), out.toString());
        System.out.println("\n" + out);
    }

    /**
     * A conversation long enough to have 1,000+ archived messages; then the recall step (search and
     * choosing the quotes, exactly what a turn adds) timed for 400 messages of the kind customers send,
     * and the archive's cost per compaction and per message, against indexing each message on insert.
     */
    private String latencyAtAThousandArchived(Http http, Fixtures fixtures) {
        RecordingModel.reset(RecordingModel.Summarizer.NORMAL);
        var conversation = LongConversations.generate(99, 26, 26);
        var tenant = fixtures.tenant(java.util.Map.of("contextTokenBudget", BUDGET, "confidenceThreshold", 0));
        UUID id = fixtures.conversation(tenant);
        for (String turn : conversation.turns()) {
            fixtures.say(tenant, id, turn);
        }
        int covered = http.get("/api/v1/conversations/" + id + "/memory", tenant.agentKey()).body()
                .get("coveredThroughSeq").asInt();
        TenantId tenantId = TenantId.of(tenant.id());
        ConversationId conversationId = ConversationId.of(id);
        RecallQuotes quotes = new RecallQuotes(tokens);
        var probes = LongConversations.generate(1234, 16, 26).turns();
        long[] nanos = new long[400];
        int withQuotes = 0;
        for (int i = 0; i < nanos.length + 50; i++) {
            String text = probes.get(i % probes.size());
            long started = System.nanoTime();
            var hits = recallIndex.search(tenantId, conversationId, text, covered, covered, 8);
            var chosen = quotes.choose("gpt-4o-mini", text, hits, BUDGET / 10);
            long took = System.nanoTime() - started;
            if (i >= 50) {
                // the first 50 warm the JIT and the caches
                nanos[i - 50] = took;
                withQuotes += chosen.isEmpty() ? 0 : 1;
            }
        }
        Arrays.sort(nanos);
        StringBuilder out = new StringBuilder();
        out.append("recall step at ").append(covered).append(" archived messages (one conversation of ")
                .append(conversation.turns().size()).append(" turns), ").append(nanos.length)
                .append(" customer messages: p50 ").append(ms(nanos[nanos.length / 2])).append(", p99 ")
                .append(ms(nanos[nanos.length * 99 / 100])).append(", max ").append(ms(nanos[nanos.length - 1]))
                .append("; ").append(withQuotes).append(" of them got quotes\n");

        // the archive's cost: re-archive the same messages in compaction-sized batches
        jdbc.sql("DELETE FROM memory_archive WHERE tenant_id = :t AND conversation_id = :c")
                .param("t", tenant.id()).param("c", id).update();
        List<Long> batches = new ArrayList<>();
        int batch = 40;
        for (int from = 0; from < covered; from += batch) {
            long started = System.nanoTime();
            recallIndex.archive(tenantId, conversationId, from, Math.min(covered, from + batch));
            batches.add(System.nanoTime() - started);
        }
        long[] b = batches.stream().mapToLong(l -> l).sorted().toArray();
        out.append("archiving (one INSERT ... SELECT per compaction, here ").append(batch).append(" messages each, ")
                .append(b.length).append(" batches): p50 ").append(ms(b[b.length / 2])).append(", p99 ")
                .append(ms(b[b.length * 99 / 100])).append(" per batch\n");
        out.append(insertCosts(tenant.id(), id));
        return out.toString();
    }

    /**
     * The alternative not taken: a search vector on every message as it is appended. The conversation's
     * messages inserted one statement each into a copy of the transcript table without and with a
     * generated tsvector column and its GIN index.
     */
    private String insertCosts(UUID tenant, UUID conversation) {
        List<String> contents = jdbc.sql("SELECT content FROM messages WHERE tenant_id = :t AND conversation_id = :c ORDER BY seq")
                .param("t", tenant).param("c", conversation).query(String.class).list();
        StringBuilder out = new StringBuilder();
        for (boolean indexed : new boolean[] {false, true}) {
            jdbc.sql("DROP TABLE IF EXISTS bench_messages").update();
            jdbc.sql("CREATE TABLE bench_messages (tenant_id uuid, conversation_id uuid, seq int, content text,"
                    + (indexed ? " tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED," : "")
                    + " PRIMARY KEY (tenant_id, conversation_id, seq))").update();
            if (indexed) {
                jdbc.sql("CREATE INDEX bench_messages_tsv ON bench_messages USING gin (tenant_id, conversation_id, tsv)")
                        .update();
            }
            long[] nanos = new long[contents.size()];
            for (int round = 0; round < 2; round++) {
                jdbc.sql("TRUNCATE bench_messages").update();
                for (int i = 0; i < contents.size(); i++) {
                    long started = System.nanoTime();
                    jdbc.sql("INSERT INTO bench_messages (tenant_id, conversation_id, seq, content) VALUES (:t, :c, :s, :x)")
                            .param("t", tenant).param("c", conversation).param("s", i).param("x", contents.get(i)).update();
                    nanos[i] = System.nanoTime() - started;
                }
            }
            Arrays.sort(nanos);
            out.append("one message inserted, ").append(indexed ? "with a tsvector column and GIN index" : "as today")
                    .append(" (").append(nanos.length).append(" inserts, second round): p50 ").append(ms(nanos[nanos.length / 2]))
                    .append(", p99 ").append(ms(nanos[nanos.length * 99 / 100])).append('\n');
        }
        jdbc.sql("DROP TABLE bench_messages").update();
        return out.toString();
    }

    private static String describe(Timer timer) {
        StringBuilder s = new StringBuilder("n=").append(timer.count());
        for (ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
            s.append(", p").append((int) (p.percentile() * 100)).append(' ')
                    .append(String.format("%.2f ms", p.value(TimeUnit.MICROSECONDS) / 1000.0));
        }
        return s.toString();
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1_000_000.0);
    }

    private static long[] seeds() {
        String configured = System.getProperty("recall.seeds", "7,11,23");
        return Arrays.stream(configured.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
