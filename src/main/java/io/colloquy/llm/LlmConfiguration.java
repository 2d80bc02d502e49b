package io.colloquy.llm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.common.retry.configuration.RetryConfigCustomizer;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.colloquy.tenant.RouteEntry;
import io.colloquy.tenant.Tenants;
import io.colloquy.usage.BudgetHolds;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.UsageLedger;

/**
 * Wires the door: the upstreams ({@code colloquy.llm.upstreams}, or the one the simple properties
 * describe), the default route, and the Resilience4j policies: retries from the instances {@code llm}
 * and {@code llm-summarization}, circuit breakers from the configs of the same names (one circuit per
 * upstream and model is made from them as routes are used).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LlmProperties.class)
class LlmConfiguration {

    static final String INSTANCE = "llm";
    static final String SUMMARIZATION_INSTANCE = "llm-summarization";

    @Bean
    Upstreams upstreams(LlmProperties properties, TokenCounter tokens, Environment environment) {
        Map<String, Upstreams.Upstream> byName = new LinkedHashMap<>();
        List<RouteEntry> route = new ArrayList<>();
        if (properties.upstreams().isEmpty()) {
            // the simple configuration: one upstream, one model
            if ("openai".equals(properties.provider())) {
                var settings = new LlmProperties.UpstreamSettings("openai",
                        environment.getProperty("spring.ai.openai.base-url", "https://api.openai.com/v1"),
                        environment.getProperty("spring.ai.openai.api-key"), "openai", null, null, List.of());
                byName.put("openai", upstream("openai", settings, properties, tokens));
                String model = properties.defaultModel() != null && !properties.defaultModel().isBlank()
                        ? properties.defaultModel() : environment.getProperty("spring.ai.openai.chat.model", "gpt-4o-mini");
                route.add(new RouteEntry("openai", model));
            } else {
                var settings = new LlmProperties.UpstreamSettings("simulated", null, null, "simulated", null, null,
                        List.of());
                byName.put("simulated", upstream("simulated", settings, properties, tokens));
                route.add(new RouteEntry("simulated", properties.simulated().model()));
            }
        } else {
            properties.upstreams().forEach((name, settings) -> byName.put(name, upstream(name, settings, properties, tokens)));
            for (String entry : properties.route()) {
                int colon = entry.indexOf(':');
                if (colon <= 0 || colon == entry.length() - 1) {
                    throw new IllegalStateException("colloquy.llm.route entries are upstream:model, not '" + entry + "'");
                }
                route.add(new RouteEntry(entry.substring(0, colon).strip(), entry.substring(colon + 1).strip()));
            }
            if (route.isEmpty()) {
                Upstreams.Upstream first = byName.values().iterator().next();
                String model = first.models().isEmpty() ? properties.defaultModel() : first.models().iterator().next();
                if (model == null || model.isBlank()) {
                    throw new IllegalStateException("colloquy.llm.route is empty and upstream '" + first.name()
                            + "' names no model: set colloquy.llm.route (upstream:model entries)");
                }
                route.add(new RouteEntry(first.name(), model));
            }
        }
        return new Upstreams(byName, route, properties.temperature(), properties.jsonMode());
    }

    private static Upstreams.Upstream upstream(String name, LlmProperties.UpstreamSettings s, LlmProperties properties,
                                               TokenCounter tokens) {
        String provider = s.provider() == null || s.provider().isBlank() ? name : s.provider();
        Set<String> models = Set.copyOf(s.models());
        if ("simulated".equals(s.type())) {
            return new Upstreams.Upstream(name, provider, models, new SimulatedBackend(properties.simulated(), tokens), null);
        }
        if (s.baseUrl() == null || s.baseUrl().isBlank()) {
            throw new IllegalStateException("colloquy.llm.upstreams." + name + ".base-url is required");
        }
        var endpoint = new OpenAiBackend.Endpoint(provider, s.baseUrl(), s.apiKey(),
                s.connectTimeout() != null ? s.connectTimeout() : properties.connectTimeout(),
                s.firstByteTimeout() != null ? s.firstByteTimeout() : properties.firstByteTimeout());
        return new Upstreams.Upstream(name, provider, models,
                new OpenAiBackend(endpoint, properties.temperature(), properties.jsonMode()), endpoint);
    }

    @Bean
    LlmClient llmClient(Upstreams upstreams, CircuitBreakerRegistry circuitBreakers, BulkheadRegistry bulkheads,
                        RetryRegistry retries, Tenants tenants, UsageLedger ledger, BudgetHolds holds,
                        TokenCounter tokens, LlmProperties properties, Clock clock,
                        ObservationRegistry observations) {
        var guards = Map.of(
                CallPurpose.CHAT, new ResilientLlmClient.Guards(INSTANCE, circuitBreakers,
                        circuitConfig(circuitBreakers, INSTANCE), retries.retry(INSTANCE)),
                CallPurpose.SUMMARIZATION, new ResilientLlmClient.Guards(SUMMARIZATION_INSTANCE, circuitBreakers,
                        circuitConfig(circuitBreakers, SUMMARIZATION_INSTANCE), retries.retry(SUMMARIZATION_INSTANCE)));
        return new ResilientLlmClient(upstreams, guards, bulkheads.bulkhead(INSTANCE), tenants, ledger, holds, tokens,
                properties, clock, observations);
    }

    /**
     * Outages count against a circuit (5xx, 429, timeouts, broken answers, a refused key); a request the
     * provider refused for its own content (400, 404 unknown model) does not, so one tenant's bad setting
     * cannot open a circuit other tenants use.
     */
    private static CircuitBreakerConfig circuitConfig(CircuitBreakerRegistry registry, String name) {
        CircuitBreakerConfig base = registry.getConfiguration(name)
                .orElseThrow(() -> new IllegalStateException("resilience4j.circuitbreaker.configs." + name + " is missing"));
        return CircuitBreakerConfig.from(base)
                .recordException(e -> e instanceof UpstreamException u && u.countsAsOutage())
                .build();
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
}
