package io.colloquy.handoff;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.colloquy.events.Notifications;
import io.colloquy.shared.TenantId;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells a tenant's agents what happens in their queue: a new handoff, claims and releases by others,
 * a customer writing on a conversation someone holds, a claim whose lease ran out. Sent when the
 * transaction that made the change commits, to agent streams on every instance; ids only, no content.
 */
@Component
class QueueEvents {

    enum Type {
        OPENED("opened"), CLAIMED("claimed"), RELEASED("released"), RESOLVED("resolved"),
        LEASE_EXPIRED("lease-expired"), CUSTOMER_MESSAGE("customer-message");

        final String eventName;

        Type(String eventName) {
            this.eventName = eventName;
        }
    }

    private final Notifications notifications;
    private final JsonMapper json;

    QueueEvents(Notifications notifications, JsonMapper json) {
        this.notifications = notifications;
        this.json = json;
    }

    static String key(TenantId tenantId) {
        return "q:" + tenantId.value();
    }

    void publish(Type type, HandoffEntity h) {
        publish(type, h, null);
    }

    void publish(Type type, HandoffEntity h, Integer messageSeq) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type.eventName);
        event.put("handoffId", h.id());
        event.put("conversationId", h.conversationId());
        event.put("status", h.status());
        event.put("reason", h.reason());
        event.put("priority", h.priority());
        event.put("claimedBy", h.claimedBy());
        event.put("claimedKeyId", h.claimedKeyId());
        if (messageSeq != null) {
            event.put("seq", messageSeq);
        }
        notifications.publish(key(TenantId.of(h.tenantId())), json.writeValueAsString(event));
    }

    /** The claimant's key, read back from an event (the stream sends customer messages only to it). */
    UUID claimedKeyId(Map<String, Object> event) {
        Object id = event.get("claimedKeyId");
        return id == null ? null : UUID.fromString(id.toString());
    }
}
