package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

import io.colloquy.llm.PromptMessage;
import io.colloquy.llm.RecordingModel;
import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.usage.CallPurpose;
import tools.jackson.databind.JsonNode;

/**
 * Feeds a generated conversation ({@link LongConversations}) through the API and measures, for each
 * question at the end, whether the prompt the model received holds the planted answer, against a plain
 * sliding window of the same budget over the same transcript: the same instructions, then the newest
 * messages that fit. Every prompt is counted here independently of the service (o200k_base, as the
 * service counts the simulated model's prompts).
 */
final class RecallMeasurement {

    static final Encoding O200K = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    /** Where an answer was found in Colloquy's prompt. */
    enum Source { FACTS, SUMMARY, RECALL, VERBATIM, MISSING }

    record Answer(LongConversations.Question question, Source colloquy, boolean window, int promptTokens) {
    }

    /**
     * @param windowPromptTokens what the sliding window's prompt would have been for each customer message
     */
    record Result(UUID conversation, Fixtures.Tenant tenant, List<Answer> answers, List<Integer> chatPromptTokens,
                  List<Integer> windowPromptTokens, int largestPrompt, JsonNode memory) {

        long colloquyHits() {
            return answers.stream().filter(a -> a.colloquy() != Source.MISSING).count();
        }

        long windowHits() {
            return answers.stream().filter(Answer::window).count();
        }

        long from(Source source) {
            return answers.stream().filter(a -> a.colloquy() == source).count();
        }
    }

    private RecallMeasurement() {
    }

    /** Runs the conversation; {@link RecordingModel#reset} must have been called (it also picks the summarizer). */
    static Result run(Http http, Fixtures fixtures, LongConversations.Conversation conversation, int budget) {
        // threshold 0: the simulated model's low confidence on a few everyday words must not hand the chat off
        var tenant = fixtures.tenant(Map.of("contextTokenBudget", budget, "confidenceThreshold", 0));
        UUID id = fixtures.conversation(tenant);
        for (int i = 0; i < conversation.turns().size(); i++) {
            JsonNode turn = fixtures.say(tenant, id, conversation.turns().get(i));
            assertThat(turn.get("status").asString()).as("turn %d: %s", i + 1, conversation.turns().get(i))
                    .isEqualTo("BOT");
        }
        List<JsonNode> transcript = transcript(http, tenant, id);
        List<RecordingModel.Received> chats = RecordingModel.RECEIVED.stream()
                .filter(r -> r.purpose() == CallPurpose.CHAT).toList();
        List<Integer> chatTokens = chats.stream().map(r -> tokens(r.messages())).toList();
        int largest = RecordingModel.RECEIVED.stream().mapToInt(r -> tokens(r.messages())).max().orElse(0);

        List<Answer> answers = new ArrayList<>();
        for (LongConversations.Question q : conversation.questions()) {
            RecordingModel.Received prompt = chats.stream()
                    .filter(r -> r.messages().getLast().content().equals(q.text())).reduce((a, b) -> b).orElseThrow();
            answers.add(new Answer(q, source(prompt.messages(), q.answer()),
                    inWindow(transcript, q, prompt.messages().getFirst().content(), budget),
                    tokens(prompt.messages())));
        }
        String instructions = chats.getFirst().messages().getFirst().content();
        List<Integer> windowTokens = transcript.stream().filter(m -> m.get("role").asString().equals("CUSTOMER"))
                .map(m -> window(transcript, m.get("seq").asInt(), instructions, budget)).toList();
        JsonNode memory = http.get("/api/v1/conversations/" + id + "/memory", tenant.agentKey()).body();
        return new Result(id, tenant, answers, chatTokens, windowTokens, largest, memory);
    }

    /** Where in the prompt (not counting the question itself) the answer is, if anywhere. */
    static Source source(List<PromptMessage> prompt, String answer) {
        String needle = answer.toLowerCase(Locale.ROOT);
        boolean hasMemory = prompt.size() > 2 && prompt.get(1).kind() == PromptMessage.Kind.SYSTEM
                && !prompt.get(1).content().startsWith("Note from the support team");
        for (int i = prompt.size() - 2; i >= (hasMemory ? 2 : 1); i--) {
            if (prompt.get(i).content().toLowerCase(Locale.ROOT).contains(needle)) {
                return Source.VERBATIM;
            }
        }
        if (hasMemory) {
            String memory = prompt.get(1).content();
            int facts = memory.indexOf(ContextAssembler.FACTS_HEADER.strip());
            int summary = memory.indexOf(ContextAssembler.SUMMARY_HEADER.strip());
            int recall = memory.indexOf(RecallQuotes.HEADER.strip());
            int at = memory.toLowerCase(Locale.ROOT).indexOf(needle);
            while (at >= 0) {
                int section = Math.max(facts <= at ? facts : -1, Math.max(summary <= at ? summary : -1,
                        recall <= at ? recall : -1));
                if (section >= 0) {
                    return section == facts ? Source.FACTS : section == summary ? Source.SUMMARY : Source.RECALL;
                }
                at = memory.toLowerCase(Locale.ROOT).indexOf(needle, at + 1);
            }
        }
        return Source.MISSING;
    }

    /** Whether a sliding window of {@code budget} tokens (instructions, then the newest messages) holds the answer. */
    static boolean inWindow(List<JsonNode> transcript, LongConversations.Question q, String instructions, int budget) {
        int questionSeq = transcript.stream().filter(m -> m.get("role").asString().equals("CUSTOMER")
                        && m.get("content").asString().equals(q.text()))
                .mapToInt(m -> m.get("seq").asInt()).max().orElseThrow();
        int used = 3 + O200K.countTokens(instructions) + 4;
        String needle = q.answer().toLowerCase(Locale.ROOT);
        boolean found = false;
        for (int i = transcript.size() - 1; i >= 0; i--) {
            JsonNode m = transcript.get(i);
            int seq = m.get("seq").asInt();
            if (seq > questionSeq) {
                continue;
            }
            String content = m.get("content").asString();
            int cost = O200K.countTokens(content) + 4;
            if (used + cost > budget) {
                break;
            }
            used += cost;
            if (seq < questionSeq && content.toLowerCase(Locale.ROOT).contains(needle)) {
                found = true;
            }
        }
        return found;
    }

    /** The size of the sliding window's prompt for the customer message {@code seq}. */
    static int window(List<JsonNode> transcript, int seq, String instructions, int budget) {
        int used = 3 + O200K.countTokens(instructions) + 4;
        for (int i = transcript.size() - 1; i >= 0; i--) {
            JsonNode m = transcript.get(i);
            if (m.get("seq").asInt() > seq) {
                continue;
            }
            int cost = O200K.countTokens(m.get("content").asString()) + 4;
            if (used + cost > budget) {
                break;
            }
            used += cost;
        }
        return used;
    }

    static List<JsonNode> transcript(Http http, Fixtures.Tenant tenant, UUID conversation) {
        List<JsonNode> all = new ArrayList<>();
        int after = 0;
        while (true) {
            JsonNode page = http.get("/api/v1/conversations/" + conversation + "/messages?after=" + after + "&limit=500",
                    tenant.chatKey()).body().get("messages");
            if (page.isEmpty()) {
                return all;
            }
            page.forEach(all::add);
            after = page.get(page.size() - 1).get("seq").asInt();
        }
    }

    static int tokens(List<PromptMessage> messages) {
        int total = 3;
        for (PromptMessage m : messages) {
            total += O200K.countTokens(m.content()) + 4;
        }
        return total;
    }
}
