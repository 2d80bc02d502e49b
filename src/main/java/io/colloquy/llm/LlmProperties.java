package io.colloquy.llm;

import java.time.Duration;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code colloquy.llm.*}: which model answers and how long a turn may wait for it. Retry counts,
 * back-off, the circuit breaker and the bulkhead are Resilience4j's {@code resilience4j.*.instances.llm}.
 *
 * @param provider         {@code simulated} or {@code openai} (decided at start, see {@link LlmProviderEnvironment})
 * @param defaultModel     model for tenants that name none; for {@code openai}, {@code spring.ai.openai.chat.model}
 * @param attemptTimeout   longest one call to the model may take, a whole streamed answer included
 * @param connectTimeout   longest a connection to the provider may take to open
 * @param firstByteTimeout longest the provider may stay silent: before the first piece of its answer, and
 *                         between two pieces (a provider that hangs is cut off after this, not after the
 *                         attempt's whole time); raise it for reasoning models that think before they write
 * @param turnBudget       longest a synchronous turn may spend on the model, retries and back-off included
 * @param maxOutputTokens  most tokens the model may write in one answer
 * @param temperature      sampling temperature sent to the model
 * @param jsonMode         ask the provider for a JSON object answer ({@code response_format}); turn off for
 *                         servers that reject it; the answer is parsed either way
 * @param bulkheadWait     longest a call waits for one of the bulkhead's slots (never past its deadline)
 * @param maxConcurrentCallsPerTenant model calls one tenant may have in flight on one instance, so a busy tenant
 *                         cannot hold every bulkhead slot
 * @param simulated        the built-in simulated model
 * @param upstreams        named OpenAI-compatible endpoints; none: one named {@code openai} from
 *                         {@code spring.ai.openai.*} (or {@code simulated} with the simulated provider)
 * @param route            the deployment's default route, {@code upstream:model} entries tried in order; none:
 *                         the default model on the first upstream
 */
@Validated
@ConfigurationProperties("colloquy.llm")
record LlmProperties(
        @NotBlank @Pattern(regexp = "simulated|openai") @DefaultValue("simulated") String provider,
        String defaultModel,
        @NotNull @DefaultValue("10s") Duration attemptTimeout,
        @NotNull @DefaultValue("5s") Duration connectTimeout,
        @NotNull @DefaultValue("8s") Duration firstByteTimeout,
        @NotNull @DefaultValue("20s") Duration turnBudget,
        @Min(16) @DefaultValue("600") int maxOutputTokens,
        @DecimalMin("0") @DecimalMax("2") @DefaultValue("0.2") double temperature,
        @DefaultValue("true") boolean jsonMode,
        @NotNull @DefaultValue("5s") Duration bulkheadWait,
        @Min(1) @DefaultValue("200") int maxConcurrentCallsPerTenant,
        @Valid @NotNull @DefaultValue Simulated simulated,
        @Valid @DefaultValue Map<String, UpstreamSettings> upstreams,
        @DefaultValue List<String> route) {

    /**
     * One OpenAI-compatible endpoint (OpenAI, Azure OpenAI's compatible endpoint, a local Ollama or vLLM).
     *
     * @param type             {@code openai} (any OpenAI-compatible server) or {@code simulated}
     * @param baseUrl          ending in {@code /v1}
     * @param apiKey           the deployment's key for it (a tenant may bring its own)
     * @param provider         its name in the price table and the ledger (default: the upstream's name)
     * @param connectTimeout   longest a connection may take to open (default: {@code colloquy.llm.connect-timeout})
     * @param firstByteTimeout longest it may stay silent (default: {@code colloquy.llm.first-byte-timeout})
     * @param models           the models it serves; empty: any
     */
    record UpstreamSettings(@DefaultValue("openai") @Pattern(regexp = "openai|simulated") String type,
                            String baseUrl, String apiKey, String provider, Duration connectTimeout,
                            Duration firstByteTimeout, @DefaultValue List<String> models) {
    }

    /**
     * @param model      the name the simulated model reports (priced like a small real model)
     * @param latency    how long each simulated answer takes before its first piece
     * @param jitter     up to this much extra latency, chosen at random per call
     * @param chunkChars a streamed answer comes in pieces of this many characters
     * @param chunkDelay the pause between two pieces of a streamed answer
     */
    record Simulated(@NotBlank @DefaultValue("simulated-1") String model,
                     @NotNull @DefaultValue("0ms") Duration latency,
                     @NotNull @DefaultValue("0ms") Duration jitter,
                     @Min(1) @DefaultValue("16") int chunkChars,
                     @NotNull @DefaultValue("20ms") Duration chunkDelay) {
    }
}
