package io.colloquy.chat;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

import org.springframework.stereotype.Component;

import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;
import io.colloquy.events.EventStream;
import io.colloquy.events.EventStreams;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.LogContext;
import io.colloquy.shared.ProblemException;
import io.colloquy.shared.Problems;
import io.colloquy.shared.TenantId;

/**
 * A turn answered as Server-Sent Events ({@code Accept: text/event-stream}). Everything that can refuse
 * the turn (the caller's mistakes, a busy conversation, the tenant's stream cap) is decided before the
 * stream opens and answered as an ordinary problem response; from then on the turn runs on its own
 * virtual thread and tells the stream what happens: {@code accepted}, {@code delta}s of the reply,
 * {@code handoff}, {@code completed} (the same body as a JSON turn) or {@code error}. A client that goes
 * away does not stop the turn: the answer is still read to its end, stored and billed once, and the
 * widget finds it in the transcript.
 */
@Component
class StreamedTurns implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(StreamedTurns.class);

    private final ChatService chat;
    private final Conversations conversations;
    private final EventStreams streams;
    private final TurnObservations observations;
    // each turn's thread carries the request's log ids and trace
    private final ExecutorService turns = LogContext.propagating(Executors.newVirtualThreadPerTaskExecutor());

    StreamedTurns(ChatService chat, Conversations conversations, EventStreams streams,
                  TurnObservations observations) {
        this.chat = chat;
        this.conversations = conversations;
        this.streams = streams;
        this.observations = observations;
    }

    EventStream start(TenantId tenantId, ConversationId conversationId, String content, String idempotencyKey) {
        EventStream stream = streams.open(tenantId);
        ChatService.Admission admission;
        try {
            admission = chat.admit(tenantId, conversationId, content, idempotencyKey);
        } catch (RuntimeException e) {
            stream.complete();
            throw e;
        }
        turns.execute(() -> observations.observe("streamed", tenantId, conversationId,
                () -> run(stream, tenantId, conversationId, admission)));
        return stream;
    }

    private void run(EventStream stream, TenantId tenantId, ConversationId conversationId,
                     ChatService.Admission admission) {
        var listener = new SseListener(stream);
        try {
            TurnResponse response = switch (admission) {
                case ChatService.Admission.NeedsModel needsModel -> chat.answer(needsModel, listener);
                case ChatService.Admission.Answered answered -> {
                    // decided without the model (or a repeated request): the same events, all at once
                    conversations.message(tenantId, conversationId, answered.response().customerSeq())
                            .ifPresent(listener::accepted);
                    if (answered.response().handoff() != null) {
                        listener.handoff(answered.response().handoff());
                    }
                    if (answered.response().reply() != null) {
                        listener.delta(answered.response().reply().content());
                    }
                    yield answered.response();
                }
            };
            listener.send("completed", response);
        } catch (ProblemException e) {
            listener.send("error", Problems.of(e));
        } catch (RuntimeException e) {
            if (Problems.isStorageUnavailable(e)) {
                log.error("Storage unavailable during a streamed turn on conversation {}: {}", conversationId, e.toString());
                listener.send("error", Problems.storageUnavailable());
            } else {
                String reference = UUID.randomUUID().toString();
                log.error("Streamed turn failed on conversation {}, reference {}", conversationId, reference, e);
                listener.send("error", Problems.unexpected(reference));
            }
        } finally {
            stream.complete();
        }
    }

    /** The turn's events, numbered from 1 on this response. */
    private static final class SseListener implements TurnListener {
        private final EventStream stream;
        private final AtomicLong ids = new AtomicLong();

        SseListener(EventStream stream) {
            this.stream = stream;
        }

        @Override
        public boolean streaming() {
            return true;
        }

        @Override
        public void accepted(Message customer) {
            send("accepted", Map.of("customerSeq", customer.seq(), "message", TurnResponse.MessageBody.of(customer)));
        }

        @Override
        public void delta(String text) {
            send("delta", Map.of("text", text));
        }

        @Override
        public void handoff(TurnResponse.HandoffBody handoff) {
            send("handoff", handoff);
        }

        void send(String name, Object data) {
            // a client that went away misses the rest; the turn goes on regardless
            stream.send(Long.toString(ids.incrementAndGet()), name, data);
        }
    }

    @Override
    public void destroy() {
        turns.shutdown();
    }
}
