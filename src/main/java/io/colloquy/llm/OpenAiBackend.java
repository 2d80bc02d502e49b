package io.colloquy.llm;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import com.openai.client.OpenAIClient;
import com.openai.client.OpenAIClientImpl;
import com.openai.core.ClientOptions;
import com.openai.core.JsonField;
import com.openai.core.ObjectMappers;
import com.openai.core.Timeout;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;

import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;

import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;

import io.colloquy.usage.CallOutcome;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Any OpenAI-compatible server (OpenAI, Azure OpenAI's compatible endpoint, Ollama, vLLM, LM Studio)
 * through the official openai-java SDK that Spring AI's OpenAI module is built on, with Spring AI's
 * OkHttp client underneath. The SDK is called directly rather than through Spring AI's chat model,
 * because the gateway needs what that model does not give: a stream that stops generating (and billing)
 * when the turn stops reading it, answers accepted when they are unambiguous but not strictly to the
 * schema (a single choice without {@code index}, no {@code usage}, no {@code created}), and failures
 * that keep their cause. No retries here ({@code maxRetries(0)}): the door's Resilience4j retry is the
 * only loop.
 */
class OpenAiBackend implements ModelBackend {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How much of an unreadable body an error detail quotes (never more: it is logged and stored). */
    private static final int SNIPPET = 120;

    /** One OpenAI-compatible endpoint: where it is, its key, and how long it may keep us waiting. */
    record Endpoint(String provider, String baseUrl, String apiKey, Duration connectTimeout, Duration readTimeout) {

        Endpoint withApiKey(String key) {
            return new Endpoint(provider, baseUrl, key, connectTimeout, readTimeout);
        }

        @Override
        public String toString() {
            // never the key
            return provider + " at " + baseUrl;
        }
    }

    private final Endpoint endpoint;
    private final OpenAIClient client;
    private final double temperature;
    private final boolean jsonMode;

    OpenAiBackend(Endpoint endpoint, double temperature, boolean jsonMode) {
        this.endpoint = endpoint;
        this.temperature = temperature;
        this.jsonMode = jsonMode;
        // read: the longest silence allowed between bytes, which bounds both the wait for the first byte
        // and every gap between streamed chunks; the door's attempt limit bounds the whole call
        Timeout timeout = Timeout.builder().connect(endpoint.connectTimeout()).read(endpoint.readTimeout())
                .write(endpoint.readTimeout()).request(Duration.ofMinutes(10)).build();
        this.client = new OpenAIClientImpl(ClientOptions.builder()
                .httpClient(TcpNoDelay.apply(
                        SpringAiOpenAiHttpClient.builder().timeout(timeout).interceptor(KEEP_ERROR_BODY).build()))
                .baseUrl(endpoint.baseUrl())
                // the SDK insists on a key; servers without one (a local Ollama) ignore it
                .apiKey(endpoint.apiKey() == null || endpoint.apiKey().isBlank() ? "none" : endpoint.apiKey())
                .timeout(timeout)
                .maxRetries(0)
                .build());
        warmUp();
    }

    /**
     * Writes a request and reads a chunk once, at start: the SDK's Kotlin reflection initialises classes
     * on first use, and a burst of first calls on virtual threads could otherwise all wait on that class
     * initialisation while holding every carrier thread (seen as a hang under load right after start).
     */
    private void warmUp() {
        var mapper = ObjectMappers.jsonMapper();
        var sample = params(new BackendCall("warm-up", List.of(PromptMessage.system("s"), PromptMessage.user("u"),
                PromptMessage.assistant("a")), 16, true, io.colloquy.usage.CallPurpose.CHAT));
        try {
            mapper.writeValueAsBytes(sample._body());
            ChatCompletionChunk chunk = mapper.readValue("""
                    {"id":"w","object":"chat.completion.chunk","created":1,"model":"w","choices":[{"index":0,
                    "delta":{"content":"w"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,
                    "total_tokens":2,"prompt_tokens_details":{"cached_tokens":0}}}""", ChatCompletionChunk.class);
            chunk._choices().asKnown().orElse(List.of()).forEach(c -> c._delta().asKnown().flatMap(d -> d._content().asKnown()));
            chunk._usage().asKnown().ifPresent(u -> u._promptTokensDetails().asKnown());
        } catch (IOException e) {
            throw new IllegalStateException("the OpenAI SDK could not write or read a sample message", e);
        }
    }

    @Override
    public String provider() {
        return endpoint.provider();
    }

    @Override
    public BackendReply call(BackendCall call, StreamListener listener) {
        ChatCompletionCreateParams params = params(call);
        StringBuilder text = new StringBuilder();
        try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> response =
                     client.chat().completions().withRawResponse().createStreaming(params)) {
            String contentType = response.headers().values("content-type").stream().findFirst().orElse("");
            if (!contentType.contains("event-stream")) {
                // a server that ignores "stream": one JSON answer, read the same tolerant way
                return whole(readBody(response), call.model(), listener);
            }
            return streamed(response.parse(), call.model(), listener, text);
        } catch (OpenAIException e) {
            // after part of the answer arrived, the part is kept for the ledger: the provider billed it
            throw text.isEmpty() ? failure(e, false) : failure(e, true).withPartialText(text.toString());
        } catch (UpstreamException e) {
            throw text.isEmpty() || e.partialText() != null ? e : e.withPartialText(text.toString());
        }
    }

    /**
     * Every call streams ({@code stream: true} with {@code stream_options.include_usage}), streamed turn
     * or not: the provider's first byte then comes with its first token, so a silent provider is cut off
     * after {@code first-byte-timeout} instead of a whole answer's time, and there is one way to read answers.
     */
    private ChatCompletionCreateParams params(BackendCall call) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(call.model())
                .temperature(temperature)
                // max_tokens: the field every OpenAI-compatible server understands
                .maxTokens((long) call.maxOutputTokens())
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        if (call.structured() && jsonMode) {
            params.responseFormat(ResponseFormatJsonObject.builder().build());
        }
        for (PromptMessage m : call.messages()) {
            switch (m.kind()) {
                case SYSTEM -> params.addSystemMessage(m.content());
                case USER -> params.addUserMessage(m.content());
                case ASSISTANT -> params.addAssistantMessage(m.content());
            }
        }
        return params.build();
    }

    /**
     * Reads the chunks: each content piece goes to the listener as it arrives; the usage comes in the
     * last chunk. Choices are read without their {@code index} (an answer has one). A stream that ends
     * before the answer does (no finish reason) is a broken stream, not a short answer.
     */
    private BackendReply streamed(StreamResponse<ChatCompletionChunk> response, String model, StreamListener listener,
                                  StringBuilder text) {
        CompletionUsage usage = null;
        boolean finished = false;
        Iterator<ChatCompletionChunk> chunks = response.stream().iterator();
        while (chunks.hasNext()) {
            ChatCompletionChunk chunk = chunks.next();
            for (ChatCompletionChunk.Choice choice : chunk._choices().asKnown().orElse(List.of())) {
                Optional<String> piece = choice._delta().asKnown().flatMap(d -> d._content().asKnown());
                if (piece.isPresent() && !piece.get().isEmpty()) {
                    text.append(piece.get());
                    if (listener != null) {
                        listener.onText(piece.get());
                    }
                }
                finished |= choice._finishReason().asKnown().isPresent();
            }
            JsonField<CompletionUsage> u = chunk._usage();
            if (u.asKnown().isPresent()) {
                usage = u.asKnown().get();
            }
        }
        if (!finished) {
            throw new UpstreamException(CallOutcome.CONNECTION_ERROR, null, null,
                    "stream ended before the answer was complete", null);
        }
        if (usage == null) {
            return new BackendReply(text.toString(), model, null, null, null);
        }
        Integer prompt = usage._promptTokens().asKnown().map(Long::intValue).orElse(null);
        Integer completion = usage._completionTokens().asKnown().map(Long::intValue).orElse(null);
        Integer cached = usage._promptTokensDetails().asKnown().flatMap(d -> d._cachedTokens().asKnown())
                .map(Long::intValue).orElse(0);
        return new BackendReply(text.toString(), model, prompt, cached, completion);
    }

    private static byte[] readBody(HttpResponseFor<?> response) {
        try (InputStream in = response.body()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new OpenAIIoException("Stream failed", e);
        }
    }

    /**
     * A whole chat completion, read with a tolerant reader: the first choice's message is the answer
     * (its {@code index} is not needed), and missing usage means the door estimates the tokens.
     */
    private static BackendReply whole(byte[] body, String model, StreamListener listener) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, 200, null,
                    "provider answer is neither a stream nor JSON" + quotedIfMarkup(body), e);
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, 200, null,
                    "provider answer has no choices" + (root.has("error") ? " (it carries an error object)" : ""), null);
        }
        JsonNode content = choices.get(0).path("message").path("content");
        if (!content.isString() && !content.isNull() && !content.isMissingNode()) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, 200, null,
                    "provider answer's message content is " + content.getNodeType() + ", not text", null);
        }
        String text = content.isString() ? content.asString() : "";
        if (listener != null && !text.isEmpty()) {
            listener.onText(text);
        }
        JsonNode usage = root.path("usage");
        if (!usage.path("prompt_tokens").isIntegralNumber() || !usage.path("completion_tokens").isIntegralNumber()) {
            return new BackendReply(text, model, null, null, null);
        }
        return new BackendReply(text, model, usage.path("prompt_tokens").asInt(),
                usage.path("prompt_tokens_details").path("cached_tokens").asInt(0),
                usage.path("completion_tokens").asInt());
    }

    /** What an SDK failure means for the door, with its cause kept (status, message, the body's start). */
    private UpstreamException failure(OpenAIException e, boolean midStream) {
        return switch (e) {
            case RateLimitException r -> new UpstreamException(CallOutcome.RATE_LIMITED, r.statusCode(), retryAfter(r),
                    "rate limited: " + brief(r), r);
            case SseException sse -> new UpstreamException(CallOutcome.SERVER_ERROR, null, null,
                    "error event in the stream: " + brief(sse), sse);
            case OpenAIServiceException s -> new UpstreamException(
                    s.statusCode() >= 500 || s.statusCode() == 408 ? CallOutcome.SERVER_ERROR : CallOutcome.REJECTED,
                    s.statusCode(), retryAfter(s), "provider answered " + brief(s), s);
            case OpenAIIoException io when hasCause(io, SocketTimeoutException.class)
                    || hasCause(io, InterruptedIOException.class) -> UpstreamException.silent(
                    "provider went silent " + (midStream ? "mid-stream " : "") + "for longer than "
                            + endpoint.readTimeout().toMillis() + " ms", io);
            case OpenAIIoException io -> new UpstreamException(CallOutcome.CONNECTION_ERROR, null, null,
                    (midStream ? "stream broke: " : "connection to provider failed: ") + rootMessage(io), io);
            default -> new UpstreamException(CallOutcome.MALFORMED_RESPONSE, null, null,
                    (midStream ? "unreadable chunk in the stream: " : "provider answer unreadable: ") + rootMessage(e), e);
        };
    }

    /**
     * The SDK drops an error body that is not JSON (an HTML 502 from a proxy) and says only "Unknown";
     * this keeps its first bytes as the error's message, so an operator can read what came back.
     */
    private static final Interceptor KEEP_ERROR_BODY = chain -> {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (response.isSuccessful() || body == null) {
            return response;
        }
        MediaType type = body.contentType();
        if (type != null && type.subtype().contains("json")) {
            return response;
        }
        String start = response.peekBody(SNIPPET).string().replaceAll("\\s+", " ").strip();
        response.close();
        var mapper = ObjectMappers.jsonMapper();
        String json = mapper.createObjectNode().set("error", mapper.createObjectNode()
                .put("message", start.isEmpty() ? "(empty body)" : "non-JSON body: " + start)
                .put("type", "non_json_body")).toString();
        return response.newBuilder().body(ResponseBody.create(json, MediaType.get("application/json"))).build();
    };

    private static String brief(OpenAIServiceException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ");
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    /**
     * The start of a body that is not an answer, quoted only when it is markup (a proxy's or a server's
     * error page): a 200 body in any other form may carry the model's text, which is never logged.
     */
    private static String quotedIfMarkup(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, SNIPPET), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        if (s.isEmpty()) {
            return " (empty body)";
        }
        return s.startsWith("<") ? "; it starts with '" + s + "'" : " (" + body.length + " bytes)";
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        m = m.replaceAll("\\s+", " ");
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    private static Duration retryAfter(OpenAIServiceException e) {
        try {
            List<String> ms = e.headers().values("retry-after-ms");
            if (!ms.isEmpty()) {
                return Duration.ofMillis((long) Double.parseDouble(ms.getFirst().strip()));
            }
            List<String> seconds = e.headers().values("retry-after");
            if (!seconds.isEmpty()) {
                String v = seconds.getFirst().strip();
                if (v.matches("\\d+(\\.\\d+)?")) {
                    return Duration.of((long) (Double.parseDouble(v) * 1000), ChronoUnit.MILLIS);
                }
            }
        } catch (RuntimeException ignored) {
            // an unreadable header is the same as none
        }
        return null;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
