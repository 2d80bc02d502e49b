package io.colloquy.chat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.Message;
import io.colloquy.handoff.HandoffRef;
import io.colloquy.privacy.Masker;
import io.colloquy.shared.UsdAmount;

/**
 * The answer to one synchronous turn. {@code status} is the conversation's state after the turn;
 * {@code reply} is null when the message went to a human instead of the model; {@code answeredBy} names
 * the upstream and model of the route that answered (null when no model did).
 */
record TurnResponse(UUID conversationId, ConversationStatus status, int customerSeq, MessageBody reply,
                    HandoffBody handoff, UsageBody usage, AnsweredBy answeredBy) {

    record AnsweredBy(String upstream, String model) {
        static AnsweredBy of(io.colloquy.llm.LlmResult result) {
            return result instanceof io.colloquy.llm.LlmResult.Answered a ? new AnsweredBy(a.upstream(), a.model()) : null;
        }
    }

    /** The answer to the turn that stored {@code customer}, as written. */
    static TurnResponse of(io.colloquy.shared.ConversationId conversationId, Message customer, TurnEngine.Written written,
                           UsageBody usage, AnsweredBy answeredBy) {
        return new TurnResponse(conversationId.value(), written.status(), customer.seq(), MessageBody.of(written.reply()),
                HandoffBody.of(written.handoff()), usage, answeredBy);
    }

    record HandoffBody(UUID id, String reason) {
        static HandoffBody of(HandoffRef ref) {
            return ref == null ? null : new HandoffBody(ref.id(), ref.reason().name());
        }
    }

    /** {@code priced} is false when a call's model has no price: {@code costUsd} then counts only the others. */
    record UsageBody(int promptTokens, int completionTokens, @UsdAmount BigDecimal costUsd, boolean priced) {
        static final UsageBody NONE = new UsageBody(0, 0, BigDecimal.ZERO, true);
    }

    /** A transcript message as widgets see it. */
    record MessageBody(int seq, String role, String content, Instant createdAt, String author) {
        static MessageBody of(Message m) {
            return of(m, Masker.NONE);
        }

        static MessageBody of(Message m, Masker masker) {
            return m == null ? null
                    : new MessageBody(m.seq(), m.role().name(), masker.mask(m.content()), m.createdAt(), m.author());
        }
    }
}
