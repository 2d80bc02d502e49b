package io.colloquy.usage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * Prometheus meters for spend. Labels are tenant, model, purpose and outcome: all bounded. A
 * conversation id is never a label (it would create a series per conversation).
 */
@Component
class UsageMeters {

    private final MeterRegistry registry;
    private final Timer writes;

    UsageMeters(MeterRegistry registry) {
        this.registry = registry;
        this.writes = Timer.builder("colloquy.usage.record").description("Writing one model call to the ledger")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    void recorded(RecordedCall recorded, long writeNanos) {
        writes.record(writeNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        ModelCall call = recorded.call();
        String tenant = call.tenantId().toString();
        String model = call.model();
        String purpose = call.purpose().name();
        Counter.builder("colloquy.llm.calls").description("Model calls, every attempt")
                .tags("tenant", tenant, "model", model, "purpose", purpose, "outcome", call.outcome().name())
                .register(registry).increment();
        tokens(tenant, model, purpose, "prompt", call.promptTokens() - call.cachedPromptTokens());
        tokens(tenant, model, purpose, "cached_prompt", call.cachedPromptTokens());
        tokens(tenant, model, purpose, "completion", call.completionTokens());
        Counter.builder("colloquy.llm.cost.usd").description("Model spend in USD")
                .tags("tenant", tenant, "model", model, "purpose", purpose)
                .register(registry).increment(recorded.costUsd().doubleValue());
    }

    private void tokens(String tenant, String model, String purpose, String kind, int count) {
        Counter.builder("colloquy.llm.tokens").description("Model tokens by kind")
                .tags("tenant", tenant, "model", model, "purpose", purpose, "kind", kind)
                .register(registry).increment(count);
    }
}
