package io.colloquy.chat;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.ConversationView;
import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;

import io.colloquy.llm.LlmResult;
import io.colloquy.memory.SessionMemory;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;
import io.colloquy.usage.SpendGuard;

/**
 * A synchronous customer turn, end to end. Three steps so no database connection is held while the
 * model thinks: (1) in one transaction, store the customer's message, decide whether the model is
 * needed at all and, when it is, read what its prompt is built from; (2) with no transaction, build the
 * context and call the model; (3) in one transaction, store the reply, its usage, the memory update and
 * any handoff. The customer always gets an answer: when the model cannot be reached, a holding reply
 * and a handoff to a person.
 */
@Service
class ChatService {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final Conversations conversations;
    private final Tenants tenants;
    private final TurnEngine engine;
    private final IdempotencyStore idempotency;
    private final SpendGuard spendGuard;
    private final ChatProperties properties;
    private final TurnLeases leases;
    private final AsyncJobs jobs;
    private final TurnObservations observations;
    private final TransactionTemplate tx;

    ChatService(Conversations conversations, Tenants tenants, TurnEngine engine,
                IdempotencyStore idempotency, SpendGuard spendGuard, ChatProperties properties, TurnLeases leases,
                AsyncJobs jobs, TurnObservations observations, PlatformTransactionManager transactions) {
        this.conversations = conversations;
        this.tenants = tenants;
        this.engine = engine;
        this.idempotency = idempotency;
        this.spendGuard = spendGuard;
        this.properties = properties;
        this.leases = leases;
        this.jobs = jobs;
        this.observations = observations;
        this.tx = new TransactionTemplate(transactions);
    }

    ConversationView start(TenantId tenantId, String externalUserRef, Map<String, Object> metadata) {
        return conversations.start(tenantId, externalUserRef, metadata);
    }

    /** What step 1 decided. */
    sealed interface Admission {
        /** The turn is already answered: a repeated request, or no model was needed. */
        record Answered(TurnResponse response) implements Admission {
        }

        /**
         * The customer's message is stored and the turn lock taken; the model answers next, from a prompt built
         * of {@code promptSource} (read in the same transaction).
         */
        record NeedsModel(TenantId tenantId, ConversationId conversationId, Message customer, UUID turnToken,
                          TenantSettings settings, String idempotencyKey, SessionMemory.PromptSource promptSource)
                implements Admission {
        }
    }

    TurnResponse send(TenantId tenantId, ConversationId conversationId, String content, String idempotencyKey) {
        return observations.observe("sync", tenantId, conversationId, () -> {
            Admission admission = admit(tenantId, conversationId, content, idempotencyKey);
            return switch (admission) {
                case Admission.Answered answered -> answered.response();
                case Admission.NeedsModel needsModel -> answer(needsModel, TurnListener.NONE);
            };
        });
    }

    /** Step 1, in its own transaction; a caller's mistake or a busy conversation is refused here, before anything is stored. */
    Admission admit(TenantId tenantId, ConversationId conversationId, String content, String idempotencyKey) {
        validate(content);
        TenantSettings settings = tenants.settings(tenantId);
        engine.requireFits(settings, content);
        SpendGuard.Decision spend = spendGuard.check(tenantId, settings);
        return tx.execute(s -> admit(tenantId, conversationId, content, idempotencyKey, settings, spend));
    }

    /** Steps 2 and 3: the model (streamed to {@code listener} when it listens), then the write. */
    TurnResponse answer(Admission.NeedsModel admitted, TurnListener listener) {
        listener.accepted(admitted.customer());
        TurnEngine.ModelTurn turn = null;
        try (var hold = leases.hold(admitted.tenantId(), admitted.conversationId(), admitted.turnToken())) {
            turn = engine.callModel(admitted.tenantId(), admitted.conversationId(), admitted.settings(),
                    admitted.promptSource(), engine.deadlineFromNow(), listener);
            TurnEngine.ModelTurn answered = turn;
            TurnResponse response = tx.execute(s -> write(admitted, answered));
            if (turn.relay() != null) {
                if (response.handoff() != null) {
                    listener.handoff(response.handoff());
                }
                turn.relay().settle(response.reply() == null ? null : response.reply().content(),
                        response.handoff() != null);
            }
            return response;
        } catch (RuntimeException e) {
            if (turn != null) {
                // the answer's transaction did not commit, its usage with it: the provider billed the call
                engine.recordAnswer(turn);
            }
            handOver(admitted);
            throw e;
        }
    }

    /** Step 3, inside its transaction: the reply (or handoff), the end of the turn and the answered call's usage. */
    private TurnResponse write(Admission.NeedsModel admitted, TurnEngine.ModelTurn turn) {
        TenantId tenantId = admitted.tenantId();
        ConversationId conversationId = admitted.conversationId();
        if (!conversations.holdsTurn(tenantId, conversationId, admitted.turnToken())) {
            // the turn outlived its lease (the database was away) and the recovery took it over
            throw new TurnInterruptedException();
        }
        TurnEngine.Written written = switch (turn.result()) {
            case LlmResult.Answered a -> engine.writeAnswer(tenantId, conversationId, admitted.settings(),
                    admitted.customer(), turn, a.text());
            case LlmResult.Unavailable u -> engine.writeHandoff(tenantId, conversationId,
                    admitted.customer(), TurnEngine.unavailable(u), turn);
        };
        conversations.endTurn(tenantId, conversationId, admitted.turnToken());
        // the answered call's usage commits with the answer, last, so its roll-up rows are locked briefly
        TurnEngine.ModelTurn recorded = engine.recordAnswer(turn);
        TurnResponse response = TurnResponse.of(conversationId, admitted.customer(), written,
                TurnEngine.usage(recorded.calls()), TurnResponse.AnsweredBy.of(turn.result()));
        if (admitted.idempotencyKey() != null) {
            idempotency.complete(tenantId, conversationId, "sync:" + admitted.idempotencyKey(), response);
        }
        return response;
    }

    private Admission admit(TenantId tenantId, ConversationId conversationId, String content, String idempotencyKey,
                            TenantSettings settings, SpendGuard.Decision spend) {
        ConversationStatus status = conversations.lockedStatus(tenantId, conversationId);
        if (idempotencyKey != null) {
            Optional<TurnResponse> earlier = idempotency.lookUp(tenantId, conversationId, "sync:" + idempotencyKey,
                    content, TurnResponse.class);
            if (earlier.isPresent()) {
                return new Admission.Answered(earlier.get());
            }
        }
        Message customer = engine.accept(tenantId, conversationId, status, content, spend);
        if (idempotencyKey != null) {
            idempotency.record(tenantId, conversationId, "sync:" + idempotencyKey, content, customer.seq());
        }
        Optional<TurnEngine.Written> decided = engine.withoutModel(tenantId, conversationId, status, customer,
                settings, spend);
        if (decided.isPresent()) {
            TurnResponse immediate = TurnResponse.of(conversationId, customer, decided.get(), TurnResponse.UsageBody.NONE,
                    null);
            if (idempotencyKey != null) {
                idempotency.complete(tenantId, conversationId, "sync:" + idempotencyKey, immediate);
            }
            return new Admission.Answered(immediate);
        }
        Conversations.TurnStart turn = conversations.beginTurn(tenantId, conversationId, customer.seq(),
                properties.turnLease());
        turn.orphanedCustomerSeq().ifPresent(seq -> jobs.queueUnanswered(tenantId, conversationId, seq));
        // what the prompt is built from, read now under the lock already held: no transaction of its own for it
        return new Admission.NeedsModel(tenantId, conversationId, customer, turn.token(), settings, idempotencyKey,
                engine.readForPrompt(tenantId, conversationId, customer));
    }

    /**
     * After a failed step 2 or 3 (the database went away, or a bug): the customer's message is stored but
     * unanswered. It is handed to the async queue to be answered (or handed to a person), and the
     * conversation is freed; a retry with the same Idempotency-Key is told that answer once it exists.
     * When even this fails (the database is still away), the turn's lease runs out and the recovery does
     * the same within seconds.
     */
    private void handOver(Admission.NeedsModel admitted) {
        try {
            tx.executeWithoutResult(s -> {
                jobs.queueUnanswered(admitted.tenantId(), admitted.conversationId(), admitted.customer().seq());
                conversations.endTurn(admitted.tenantId(), admitted.conversationId(), admitted.turnToken());
            });
        } catch (RuntimeException cleanup) {
            log.warn("Could not hand over the turn on conversation {} ({}); its lease will run out and the recovery "
                    + "will", admitted.conversationId(), cleanup.toString());
        }
    }

    /** The turn ran out of time to write its answer; the recovery answers the message instead. */
    static class TurnInterruptedException extends io.colloquy.shared.ProblemException {
        TurnInterruptedException() {
            super(HttpStatus.SERVICE_UNAVAILABLE, "turn-interrupted", "Turn interrupted",
                    "This turn was interrupted and its message is being answered separately; retry with the same "
                            + "Idempotency-Key to get the answer", java.util.Map.of("retryAfterSeconds", 2));
        }
    }

    void validate(String content) {
        if (content == null || content.isBlank()) {
            throw new InvalidRequestException("content must not be empty");
        }
        if (content.indexOf('\u0000') >= 0) {
            throw new InvalidRequestException("content must not contain NUL characters");
        }
        if (content.length() > properties.maxMessageChars()) {
            throw new InvalidRequestException(HttpStatus.CONTENT_TOO_LARGE, "message-too-long", "Message too long",
                    "content has " + content.length() + " characters; the limit is " + properties.maxMessageChars());
        }
    }
}
