package io.colloquy.llm;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import com.openai.errors.OpenAIInvalidDataException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import io.colloquy.usage.CallOutcome;

/**
 * Any OpenAI-compatible server through Spring AI's OpenAI chat model (OpenAI, Azure OpenAI's
 * compatible endpoint, Ollama, vLLM, LM Studio). Spring AI and the SDK make no retries here
 * ({@code spring.ai.openai.max-retries=0}): the door's Resilience4j retry is the only loop.
 */
class OpenAiBackend implements ModelBackend {

    private final OpenAiChatModel chatModel;
    private final double temperature;
    private final boolean jsonMode;

    OpenAiBackend(OpenAiChatModel chatModel, double temperature, boolean jsonMode) {
        this.chatModel = chatModel;
        this.temperature = temperature;
        this.jsonMode = jsonMode;
    }

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public BackendReply call(BackendCall call) {
        // per-call options replace the configured ones entirely, so everything is set here
        OpenAiChatOptions.Builder options = OpenAiChatOptions.builder()
                .model(call.model())
                .temperature(temperature)
                .maxTokens(call.maxOutputTokens());
        if (call.structured() && jsonMode) {
            options.responseFormat(OpenAiChatModel.ResponseFormat.builder()
                    .type(OpenAiChatModel.ResponseFormat.Type.JSON_OBJECT).build());
        }
        List<org.springframework.ai.chat.messages.Message> messages = new ArrayList<>();
        for (PromptMessage m : call.messages()) {
            messages.add(switch (m.kind()) {
                case SYSTEM -> new SystemMessage(m.content());
                case USER -> new UserMessage(m.content());
                case ASSISTANT -> new AssistantMessage(m.content());
            });
        }
        ChatResponse response;
        try {
            response = chatModel.call(new Prompt(messages, options.build()));
        } catch (RateLimitException e) {
            throw new UpstreamException(CallOutcome.RATE_LIMITED, e.statusCode(), retryAfter(e), "rate limited", e);
        } catch (OpenAIServiceException e) {
            CallOutcome outcome = e.statusCode() >= 500 || e.statusCode() == 408 ? CallOutcome.SERVER_ERROR
                    : CallOutcome.REJECTED;
            throw new UpstreamException(outcome, e.statusCode(), retryAfter(e), "provider answered " + e.statusCode(), e);
        } catch (OpenAIIoException e) {
            boolean timeout = hasCause(e, java.net.SocketTimeoutException.class)
                    || hasCause(e, java.io.InterruptedIOException.class);
            throw new UpstreamException(timeout ? CallOutcome.TIMEOUT : CallOutcome.CONNECTION_ERROR, null, null,
                    timeout ? "provider did not answer in time" : "connection to provider failed", e);
        } catch (OpenAIInvalidDataException e) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, null, null, "provider answer unreadable", e);
        }
        if (response == null || response.getResult() == null || response.getResult().getOutput() == null) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, null, null, "provider answer has no choices", null);
        }
        String text;
        try {
            text = response.getResult().getOutput().getText();
        } catch (OpenAIInvalidDataException e) {
            throw new UpstreamException(CallOutcome.MALFORMED_RESPONSE, null, null, "provider answer unreadable", e);
        }
        Usage usage = response.getMetadata() == null ? null : response.getMetadata().getUsage();
        // usage is attributed to the model asked for: a response may name a dated snapshot the price table lacks
        String model = call.model();
        if (usage == null || usage instanceof EmptyUsage) {
            return new BackendReply(text == null ? "" : text, model, null, null, null);
        }
        Long cached = usage.getCacheReadInputTokens();
        return new BackendReply(text == null ? "" : text, model, usage.getPromptTokens(),
                cached == null ? 0 : cached.intValue(), usage.getCompletionTokens());
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
