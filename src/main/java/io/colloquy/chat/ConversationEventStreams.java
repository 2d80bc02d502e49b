package io.colloquy.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.colloquy.conversation.ConversationEvent;
import io.colloquy.conversation.ConversationView;
import io.colloquy.conversation.Conversations;
import io.colloquy.events.EventHub;
import io.colloquy.events.EventStream;
import io.colloquy.events.EventStreams;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantPrincipal;

/**
 * A conversation's live stream ({@code GET /conversations/{id}/events}): every new message (the
 * assistant's, an agent's, a holding reply, the customer's own from another tab) and every status
 * change, each with its event number as the SSE id. A client that reconnects with {@code Last-Event-ID}
 * gets everything after it. The stream is woken by notifications from any instance and reads the
 * events from the database, so nothing is missed when a notification is.
 */
@Component
class ConversationEventStreams {

    private static final Logger log = LoggerFactory.getLogger(ConversationEventStreams.class);
    private static final int PAGE = 200;

    private final Conversations conversations;
    private final EventStreams streams;
    private final EventHub hub;
    private final TranscriptReaders readers;

    ConversationEventStreams(Conversations conversations, EventStreams streams, EventHub hub,
                             TranscriptReaders readers) {
        this.conversations = conversations;
        this.streams = streams;
        this.hub = hub;
        this.readers = readers;
    }

    /**
     * @param after the last event the client has (its Last-Event-ID), or null for only what happens from now
     */
    EventStream open(TenantPrincipal caller, ConversationId conversationId, Long after) {
        TenantId tenantId = caller.requireTenant();
        ConversationView conversation = conversations.get(tenantId, conversationId);
        EventStream stream = streams.open(tenantId);
        Subscriber subscriber = new Subscriber(stream, tenantId, conversationId, readers.of(caller, tenantId));
        var subscription = hub.subscribe(Conversations.eventKey(conversationId), payload -> subscriber.drain());
        stream.onClose(subscription::close);
        long start = after != null ? after : conversations.lastEventSeq(tenantId, conversationId);
        subscriber.cursor.set(start);
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("conversationId", conversationId.value());
        ready.put("status", conversation.status());
        ready.put("lastEventId", start);
        // no id: the client's Last-Event-ID stays the last event it really had
        stream.send(null, "ready", ready);
        subscriber.drain();
        return stream;
    }

    /** One stream's reader: drains are serialised, and a wake during a drain makes it read once more. */
    private final class Subscriber {
        private final EventStream stream;
        private final TenantId tenantId;
        private final ConversationId conversationId;
        /** The widget reads the transcript as written without internal notes; everyone else reads it masked. */
        private final TranscriptReaders.Reader reader;
        private final AtomicLong cursor = new AtomicLong();
        private final AtomicInteger wanted = new AtomicInteger();

        Subscriber(EventStream stream, TenantId tenantId, ConversationId conversationId,
                   TranscriptReaders.Reader reader) {
            this.stream = stream;
            this.tenantId = tenantId;
            this.conversationId = conversationId;
            this.reader = reader;
        }

        void drain() {
            if (wanted.getAndIncrement() > 0) {
                return;
            }
            // drains run on the notification listener's thread too: its log lines name the stream's conversation
            try (var logContext = LogContext.of(tenantId, conversationId)) {
                do {
                    try {
                        readAndSend();
                    } catch (RuntimeException e) {
                        log.warn("Event stream of conversation {} could not read: {}", conversationId, e.toString());
                    }
                } while (wanted.decrementAndGet() > 0 && stream.isOpen());
            }
        }

        private void readAndSend() {
            while (stream.isOpen()) {
                var events = conversations.eventsAfter(tenantId, conversationId, cursor.get(), PAGE);
                for (ConversationEvent e : events) {
                    if (visible(e) && !stream.send(Long.toString(e.seq()), name(e), body(e, reader))) {
                        return;
                    }
                    cursor.set(e.seq());
                }
                if (events.size() < PAGE) {
                    return;
                }
            }
        }

        private boolean visible(ConversationEvent e) {
            return e.message() == null || reader.sees(e.message());
        }
    }

    private static String name(ConversationEvent e) {
        return e.kind() == ConversationEvent.Kind.MESSAGE ? "message" : "status";
    }

    private static Object body(ConversationEvent e, TranscriptReaders.Reader reader) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", e.seq());
        if (e.kind() == ConversationEvent.Kind.MESSAGE) {
            body.put("message", reader.body(e.message()));
        } else {
            body.put("status", e.status());
        }
        body.put("at", e.createdAt());
        return body;
    }
}
