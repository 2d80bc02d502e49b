package io.colloquy.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.ModelAnswers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fake OpenAI-compatible server (WireMock) for testing the real OpenAI client path: answers,
 * usage blocks or their absence, and failures (429, 5xx, resets, slow and malformed answers).
 * One server per test JVM, reset by each test.
 */
public final class FakeOpenAi {

    public static final String PATH = "/v1/chat/completions";
    public static final String API_KEY = "test-openai-key";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static WireMockServer server;

    private FakeOpenAi() {
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(64)
                    .jettyAcceptors(2).asynchronousResponseEnabled(true).asynchronousResponseThreads(32)
                    .extensions(HeldAnswers.INSTANCE));
            server.start();
        }
        return server;
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + server().port() + "/v1";
    }

    /** Another upstream on the same server, told apart by the first part of its path. */
    public static String baseUrl(String name) {
        return "http://127.0.0.1:" + server().port() + "/" + name + "/v1";
    }

    /** The chat completions endpoint of such an upstream. */
    public static MappingBuilder completions(String name) {
        return post(urlEqualTo("/" + name + PATH));
    }

    public static List<LoggedRequest> requests(String name) {
        return server().findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlEqualTo("/" + name + PATH)));
    }

    public static MappingBuilder completions() {
        return post(urlEqualTo(PATH));
    }

    /**
     * The given structured answer as the real API streams it for {@code stream: true}: a chunk per
     * piece of text, a final chunk with the finish reason, then (with {@code include_usage}) a chunk with
     * no choices and the usage, then {@code [DONE]}.
     */
    public static ResponseDefinitionBuilder answer(ModelAnswer answer, int prompt, int cached, int completion) {
        return stream(ModelAnswers.toJson(answer), usage(prompt, cached, completion), 12, true);
    }

    /** An answer streamed in pieces of {@code pieceChars} characters; {@code usage} null sends none. */
    public static ResponseDefinitionBuilder stream(String content, Map<String, Object> usage, int pieceChars,
                                                   boolean finished) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                .withBody(streamBody(content, usage, pieceChars, finished));
    }

    /** The text of such a stream (a test may cut it short to play a broken upstream). */
    public static String streamBody(String content, Map<String, Object> usage, int pieceChars, boolean finished) {
        StringBuilder body = new StringBuilder();
        body.append(chunk(Map.of("role", "assistant", "content", ""), null, null));
        for (int i = 0; i < content.length(); i += pieceChars) {
            body.append(chunk(Map.of("content", content.substring(i, Math.min(content.length(), i + pieceChars))),
                    null, null));
        }
        if (!finished) {
            return body.toString();
        }
        body.append(chunk(Map.of(), "stop", null));
        if (usage != null) {
            body.append(chunk(null, null, usage));
        }
        return body.append("data: [DONE]\n\n").toString();
    }

    private static String chunk(Map<String, Object> delta, String finishReason, Map<String, Object> usage) {
        Map<String, Object> chunk = new LinkedHashMap<>();
        chunk.put("id", "chatcmpl-test");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1_764_000_000);
        chunk.put("model", "gpt-4o-mini-2024-07-18");
        if (delta == null) {
            chunk.put("choices", List.of());
            chunk.put("usage", usage);
        } else {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("delta", delta);
            choice.put("finish_reason", finishReason);
            chunk.put("choices", List.of(choice));
        }
        return "data: " + JSON.writeValueAsString(chunk) + "\n\n";
    }

    /** A chat completion carrying the given structured answer, with a modest usage block. */
    public static ResponseDefinitionBuilder answer(ModelAnswer answer) {
        return answer(answer, 500, 0, 60);
    }

    public static ModelAnswer withConfidence(String reply, double confidence) {
        return new ModelAnswer(reply, confidence, "refund request", false, null,
                "The order number matches but the refund policy is unclear.", "Check the refund policy for order A-12345",
                List.of(new ModelAnswer.Fact("order_number", "A-12345")), List.of("Is the refund possible?"), true);
    }

    public static ModelAnswer askingForHuman(String reply, String reason) {
        return new ModelAnswer(reply, 0.8, "refund request", true, reason, "The request needs a person's decision.",
                "Approve or refuse the exception", List.of(), List.of(), true);
    }

    /** A streamed answer with no usage chunk at all. */
    public static ResponseDefinitionBuilder answerWithoutUsage(ModelAnswer answer) {
        return stream(ModelAnswers.toJson(answer), null, 12, true);
    }

    /** The answer as one JSON chat completion, as a server that ignores {@code stream} sends it. */
    public static ResponseDefinitionBuilder wholeAnswer(ModelAnswer answer, int prompt, int cached, int completion) {
        return json(completionBody(ModelAnswers.toJson(answer), usage(prompt, cached, completion)));
    }

    public static ModelAnswer confident(String reply) {
        return new ModelAnswer(reply, 0.92, "refund request", false, null, "The customer wants a refund.",
                "Issue the refund", List.of(new ModelAnswer.Fact("order_number", "A-12345")), List.of(), true);
    }

    public static ResponseDefinitionBuilder json(Map<String, Object> body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(JSON.writeValueAsString(body));
    }

    public static Map<String, Object> completionBody(String content, Map<String, Object> usage) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("role", "assistant");
        message.put("content", content);
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("message", message);
        choice.put("logprobs", null);
        choice.put("finish_reason", "stop");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", "chatcmpl-test");
        body.put("object", "chat.completion");
        body.put("created", 1_764_000_000);
        body.put("model", "gpt-4o-mini-2024-07-18");
        body.put("choices", List.of(choice));
        if (usage != null) {
            body.put("usage", usage);
        }
        return body;
    }

    public static Map<String, Object> usage(int prompt, int cached, int completion) {
        return Map.of("prompt_tokens", prompt, "completion_tokens", completion, "total_tokens", prompt + completion,
                "prompt_tokens_details", Map.of("cached_tokens", cached));
    }

    public static List<LoggedRequest> requests() {
        return server().findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo(PATH)));
    }

    public static JsonNode body(LoggedRequest request) {
        return JSON.readTree(request.getBodyAsString());
    }
}
