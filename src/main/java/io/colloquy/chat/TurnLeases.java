package io.colloquy.chat;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.colloquy.conversation.Conversations;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;

/**
 * Keeps the leases of this instance's live turns: a turn that runs longer than a third of its lease
 * has the lease extended, so only a turn whose instance died (or lost the database) lets its lease run
 * out. Most turns end long before the first renewal, so this costs nothing on the usual path.
 */
@Component
class TurnLeases implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(TurnLeases.class);

    private record Held(TenantId tenantId, ConversationId conversationId, UUID token, long sinceNanos) {
    }

    private final Conversations conversations;
    private final Duration lease;
    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread renewer;

    TurnLeases(Conversations conversations, ChatProperties properties) {
        this.conversations = conversations;
        this.lease = properties.turnLease();
    }

    /** A live turn's hold on its lease; closing it stops the renewals. */
    interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks a turn live until the returned hold is closed. */
    Hold hold(TenantId tenantId, ConversationId conversationId, UUID token) {
        held.put(token, new Held(tenantId, conversationId, token, System.nanoTime()));
        return () -> held.remove(token);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        running = true;
        renewer = Thread.ofVirtual().name("colloquy-turn-leases").start(this::renewLoop);
    }

    private void renewLoop() {
        long third = lease.toNanos() / 3;
        while (running) {
            try {
                Thread.sleep(Duration.ofNanos(third));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Held h : held.values()) {
                if (now - h.sinceNanos() < third) {
                    continue;
                }
                try {
                    if (!conversations.renewTurn(h.tenantId(), h.conversationId(), h.token(), lease)) {
                        held.remove(h.token());
                    }
                } catch (RuntimeException e) {
                    // the database is away: the lease runs out and the recovery takes the turn over
                    try (var logContext = LogContext.of(h.tenantId(), h.conversationId())) {
                        log.warn("Could not renew the turn on conversation {}: {}", h.conversationId(), e.toString());
                    }
                }
            }
        }
    }

    @Override
    public void destroy() {
        running = false;
        if (renewer != null) {
            renewer.interrupt();
        }
    }
}
