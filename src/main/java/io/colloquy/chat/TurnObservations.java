package io.colloquy.chat;

import java.util.UUID;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.stereotype.Component;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.Traces;

/**
 * The span of a whole turn ({@code colloquy.turn}, also the timer {@code colloquy_turn_seconds} by
 * {@code kind}): memory assembly, each model attempt and each ledger write are its children. While it
 * runs, the thread's log lines carry the tenant and the conversation.
 */
@Component
class TurnObservations {

    static final String NAME = "colloquy.turn";
    /** How the turn was asked for: {@code sync} (JSON), {@code streamed} (SSE) or {@code async} (a job). */
    static final String KIND = "colloquy.turn.kind";
    static final String JOB_ID = "colloquy.job.id";

    private final ObservationRegistry registry;

    TurnObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    <T> T observe(String kind, TenantId tenantId, ConversationId conversationId, Supplier<T> turn) {
        return turn(kind, tenantId, conversationId).observe(() -> {
            try (var log = LogContext.of(tenantId, conversationId)) {
                return turn.get();
            }
        });
    }

    void observe(String kind, TenantId tenantId, ConversationId conversationId, Runnable turn) {
        observe(turn(kind, tenantId, conversationId), tenantId, conversationId, turn);
    }

    /** A queued turn run by a worker: the job's id is an attribute too. */
    void observeJob(UUID jobId, TenantId tenantId, ConversationId conversationId, Runnable turn) {
        observe(turn("async", tenantId, conversationId).highCardinalityKeyValue(JOB_ID, jobId.toString()),
                tenantId, conversationId, turn);
    }

    private static void observe(Observation observation, TenantId tenantId, ConversationId conversationId,
                                Runnable turn) {
        observation.observe(() -> {
            try (var log = LogContext.of(tenantId, conversationId)) {
                turn.run();
            }
        });
    }

    private Observation turn(String kind, TenantId tenantId, ConversationId conversationId) {
        return Traces.observation(NAME, registry, tenantId, conversationId).lowCardinalityKeyValue(KIND, kind);
    }
}
