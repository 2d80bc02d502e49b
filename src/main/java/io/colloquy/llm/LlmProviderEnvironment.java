package io.colloquy.llm;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Chooses the model provider before any bean exists: {@code colloquy.llm.provider} when set, else
 * {@code openai} when an OpenAI key is configured, else the built-in simulated model. With the
 * simulated model, Spring AI's OpenAI auto-configuration is switched off, because it refuses to
 * start without a key.
 */
class LlmProviderEnvironment implements EnvironmentPostProcessor, Ordered {

    static final String PROVIDER = "colloquy.llm.provider";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String provider = environment.getProperty(PROVIDER);
        if (provider == null || provider.isBlank()) {
            String key = environment.getProperty("spring.ai.openai.api-key", environment.getProperty("OPENAI_API_KEY"));
            provider = key == null || key.isBlank() ? "simulated" : "openai";
        }
        Map<String, Object> derived = new HashMap<>();
        derived.put(PROVIDER, provider);
        // only the chat model is used; the other Spring AI OpenAI clients would each demand a key
        for (String kind : new String[] {"embedding", "image", "audio.speech", "audio.transcription", "moderation"}) {
            derived.putIfAbsent("spring.ai.model." + kind, "none");
        }
        // the door talks to OpenAI-compatible servers through the SDK directly (see OpenAiBackend), so Spring
        // AI's own chat model, which would insist on a key, is never built
        derived.put("spring.ai.model.chat", "none");
        environment.getPropertySources().addFirst(new MapPropertySource("colloquyLlmProvider", derived));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
