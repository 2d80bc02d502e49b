package io.colloquy.shared;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.slf4j.MDC;

/**
 * The spans Colloquy makes (with Micrometer's Observation API: each is a span when tracing is on, and
 * a timer named like it) and what they carry. Tenant and conversation ids are high-cardinality key
 * values: span attributes only, never metric labels. Nothing here ever carries message content.
 */
public final class Traces {

    /** Span attribute: the tenant's id. */
    public static final String TENANT_ID = "colloquy.tenant.id";
    /** Span attribute: the conversation's id. */
    public static final String CONVERSATION_ID = "colloquy.conversation.id";
    /** The MDC key Micrometer Tracing puts the current trace id under (and the log pattern prints). */
    static final String MDC_TRACE_ID = "traceId";

    private Traces() {
    }

    /** A not yet started observation about one tenant's conversation (either id may be null). */
    public static Observation observation(String name, ObservationRegistry registry, TenantId tenantId,
                                          ConversationId conversationId) {
        Observation observation = Observation.createNotStarted(name, registry);
        if (tenantId != null) {
            observation.highCardinalityKeyValue(TENANT_ID, tenantId.toString());
        }
        if (conversationId != null) {
            observation.highCardinalityKeyValue(CONVERSATION_ID, conversationId.toString());
        }
        return observation;
    }

    /** The trace this thread works for, as it appears in the log lines; null when none is active. */
    public static String currentTraceId() {
        String traceId = MDC.get(MDC_TRACE_ID);
        return traceId == null || traceId.isBlank() ? null : traceId;
    }
}
