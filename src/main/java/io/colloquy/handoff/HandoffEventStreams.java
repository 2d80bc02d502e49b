package io.colloquy.handoff;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

import io.colloquy.events.EventHub;
import io.colloquy.events.EventStream;
import io.colloquy.events.EventStreams;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantPrincipal;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent's live view of the queue ({@code GET /handoffs/events}): new handoffs, claims and releases by
 * other agents, leases that ran out, and new customer messages on the conversations this agent holds.
 * These events are not replayed on reconnection (the queue itself is: {@code GET /handoffs}); after a
 * lost connection to the database the stream says {@code resync}, and the console reloads the queue.
 */
@Component
class HandoffEventStreams {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final EventStreams streams;
    private final EventHub hub;
    private final QueueEvents events;
    private final JsonMapper json;

    HandoffEventStreams(EventStreams streams, EventHub hub, QueueEvents events, JsonMapper json) {
        this.streams = streams;
        this.hub = hub;
        this.events = events;
        this.json = json;
    }

    EventStream open(TenantPrincipal agent) {
        TenantId tenantId = agent.requireTenant();
        EventStream stream = streams.open(tenantId);
        AtomicLong ids = new AtomicLong();
        var subscription = hub.subscribe(QueueEvents.key(tenantId), payload -> {
            if (payload == null) {
                stream.send(Long.toString(ids.incrementAndGet()), "resync", Map.of());
                return;
            }
            Map<String, Object> event = json.readValue(payload, MAP);
            String type = String.valueOf(event.get("type"));
            if (type.equals(QueueEvents.Type.CUSTOMER_MESSAGE.eventName)
                    && !agent.keyId().equals(events.claimedKeyId(event))) {
                return;
            }
            event.remove("claimedKeyId");
            stream.send(Long.toString(ids.incrementAndGet()), type, event);
        });
        stream.onClose(subscription::close);
        stream.send(null, "ready", Map.of("tenantId", tenantId.value()));
        return stream;
    }
}
