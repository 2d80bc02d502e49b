package io.colloquy.llm;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.circuitbreaker.configuration.CircuitBreakerConfigCustomizer;
import io.github.resilience4j.common.retry.configuration.RetryConfigCustomizer;
import io.github.resilience4j.retry.RetryRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.UsageLedger;

/**
 * Wires the door: the backend chosen by {@code colloquy.llm.provider}, and the Resilience4j instances
 * named {@code llm} (configured under {@code resilience4j.*.instances.llm}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LlmProperties.class)
class LlmConfiguration {

    static final String INSTANCE = "llm";
    static final String SUMMARIZATION_INSTANCE = "llm-summarization";

    @Bean
    ModelBackend modelBackend(LlmProperties properties, TokenCounter tokens, Environment environment) {
        if ("openai".equals(properties.provider())) {
            var endpoint = new OpenAiBackend.Endpoint("openai",
                    environment.getProperty("spring.ai.openai.base-url", "https://api.openai.com/v1"),
                    environment.getProperty("spring.ai.openai.api-key"),
                    properties.connectTimeout(), properties.firstByteTimeout());
            return new OpenAiBackend(endpoint, properties.temperature(), properties.jsonMode());
        }
        return new SimulatedBackend(properties.simulated(), tokens);
    }

    @Bean
    LlmClient llmClient(ModelBackend backend, CircuitBreakerRegistry circuitBreakers, BulkheadRegistry bulkheads,
                        RetryRegistry retries, UsageLedger ledger, TokenCounter tokens, LlmProperties properties,
                        Environment environment, Clock clock) {
        String defaultModel = properties.defaultModel();
        if (defaultModel == null || defaultModel.isBlank()) {
            defaultModel = "openai".equals(properties.provider())
                    ? environment.getProperty("spring.ai.openai.chat.model", "gpt-4o-mini")
                    : properties.simulated().model();
        }
        var guards = Map.of(
                CallPurpose.CHAT, new ResilientLlmClient.Guard(circuitBreakers.circuitBreaker(INSTANCE),
                        retries.retry(INSTANCE)),
                CallPurpose.SUMMARIZATION, new ResilientLlmClient.Guard(
                        circuitBreakers.circuitBreaker(SUMMARIZATION_INSTANCE), retries.retry(SUMMARIZATION_INSTANCE)));
        return new ResilientLlmClient(backend, guards, bulkheads.bulkhead(INSTANCE), ledger, tokens, properties,
                defaultModel, clock);
    }

    /** Only transient upstream failures are retried, on the schedule of {@link RetrySchedule}. */
    @Bean
    RetryConfigCustomizer llmRetryCustomizer(Environment env, Clock clock) {
        String prefix = "resilience4j.retry.instances." + INSTANCE + ".";
        var schedule = new RetrySchedule(
                env.getProperty(prefix + "wait-duration", Duration.class, Duration.ofMillis(200)),
                env.getProperty(prefix + "exponential-backoff-multiplier", Double.class, 2.0),
                env.getProperty(prefix + "randomized-wait-factor", Double.class, 0.5),
                env.getProperty(prefix + "exponential-max-wait-duration", Duration.class, Duration.ofSeconds(5)),
                env.getProperty("colloquy.llm.max-retry-after", Duration.class, Duration.ofSeconds(10)),
                clock);
        return RetryConfigCustomizer.of(INSTANCE, builder -> builder
                .intervalBiFunction(schedule)
                .retryOnException(e -> e instanceof UpstreamException u && u.retryable()));
    }

    @Bean
    RetryConfigCustomizer summarizationRetryCustomizer() {
        return RetryConfigCustomizer.of(SUMMARIZATION_INSTANCE, builder -> builder.maxAttempts(1));
    }

    /**
     * Outages count against the circuit (5xx, 429, timeouts, broken answers, a refused key); a request
     * the provider refused for its own content (400, 404 unknown model) does not, so one tenant's bad
     * setting cannot open the circuit for every tenant.
     */
    @Bean
    CircuitBreakerConfigCustomizer llmCircuitBreakerCustomizer() {
        return CircuitBreakerConfigCustomizer.of(INSTANCE, builder -> builder
                .recordException(e -> e instanceof UpstreamException u && u.countsAsOutage()));
    }

    @Bean
    CircuitBreakerConfigCustomizer summarizationCircuitBreakerCustomizer() {
        return CircuitBreakerConfigCustomizer.of(SUMMARIZATION_INSTANCE, builder -> builder
                .recordException(e -> e instanceof UpstreamException u && u.countsAsOutage()));
    }
}
