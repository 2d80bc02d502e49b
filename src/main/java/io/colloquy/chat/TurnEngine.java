package io.colloquy.chat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;
import io.colloquy.handoff.HandoffReason;
import io.colloquy.handoff.HandoffRef;
import io.colloquy.handoff.HandoffTriggers;
import io.colloquy.handoff.Handoffs;
import io.colloquy.handoff.Trigger;
import io.colloquy.llm.LlmClient;
import io.colloquy.llm.LlmRequest;
import io.colloquy.llm.LlmResult;
import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.ModelAnswers;
import io.colloquy.llm.CallContext;
import io.colloquy.memory.PreparedContext;
import io.colloquy.memory.SessionMemory;
import io.colloquy.shared.ConflictException;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.RecordedCall;
import io.colloquy.usage.SpendGuard;

/**
 * The model turn shared by synchronous and queued turns: build the context under budget and call the
 * model (outside any transaction), then write the outcome (inside the caller's transaction): the reply,
 * the memory update and, when a trigger fired or the model was unreachable, the handoff.
 */
@Component
class TurnEngine {

    private final Conversations conversations;
    private final SessionMemory memory;
    private final LlmClient llm;
    private final Handoffs handoffs;
    private final HandoffTriggers triggers;
    private final ChatProperties properties;
    private final SpendGuard spendGuard;

    TurnEngine(Conversations conversations, SessionMemory memory, LlmClient llm, Handoffs handoffs,
               HandoffTriggers triggers, ChatProperties properties, SpendGuard spendGuard) {
        this.conversations = conversations;
        this.memory = memory;
        this.llm = llm;
        this.handoffs = handoffs;
        this.triggers = triggers;
        this.properties = properties;
        this.spendGuard = spendGuard;
    }

    /**
     * The model's part of a turn, done with no transaction open.
     *
     * @param earlierConfidences the model's previous confidences, newest first (for the streak trigger)
     * @param relay              the streamed turn's relay, or null for a JSON turn
     */
    record ModelTurn(PreparedContext context, LlmResult result, List<Double> earlierConfidences, ReplyRelay relay) {

        List<RecordedCall> calls() {
            List<RecordedCall> all = new ArrayList<>(context == null ? List.of() : context.summarizationCalls());
            all.addAll(result.calls());
            return all;
        }
    }

    /** What a turn wrote. */
    record Written(Message reply, HandoffRef handoff, ConversationStatus status) {
    }

    Instant deadlineFromNow() {
        return Instant.now().plus(llm.turnBudget());
    }

    /** Refuses a message one prompt of the tenant's budget could not take whole (413), before anything is stored. */
    void requireFits(TenantSettings settings, String content) {
        memory.requireFits(settings, content);
    }

    /**
     * Stores the customer's message (inside the caller's transaction, with the conversation locked) and
     * pins its identifiers; a closed conversation and a spent budget in REJECT mode refuse it first.
     */
    Message accept(TenantId tenantId, ConversationId conversationId, ConversationStatus status, String content,
                   SpendGuard.Decision spend) {
        if (status == ConversationStatus.CLOSED) {
            throw new ConflictException("conversation-closed", "Conversation closed",
                    "Conversation " + conversationId + " is closed; start a new one");
        }
        if (spend == SpendGuard.Decision.REJECT) {
            throw spendGuard.rejection(tenantId);
        }
        Message customer = conversations.append(tenantId, conversationId, Conversations.NewMessage.customer(content));
        memory.pinFromCustomerMessage(tenantId, conversationId, customer);
        return customer;
    }

    /**
     * Decides a turn that needs no model (inside the caller's transaction, after the customer's message
     * was stored): a person already owns the conversation, the customer asked for one, a policy topic,
     * or the spent budget. Empty when the model should answer.
     */
    Optional<Written> withoutModel(TenantId tenantId, ConversationId conversationId, ConversationStatus status,
                                   Message customer, TenantSettings settings, SpendGuard.Decision spend) {
        if (status.humanOwned()) {
            // the message waits for the person and never reaches the model
            return Optional.of(new Written(null, handoffs.customerWrote(tenantId, conversationId, customer).orElse(null),
                    status));
        }
        Optional<Trigger> trigger = spend == SpendGuard.Decision.HANDOFF
                ? Optional.of(new Trigger(HandoffReason.BUDGET_EXHAUSTED, "The monthly model budget is spent"))
                : triggers.beforeModel(customer.content(), settings);
        return trigger.map(t -> writeHandoff(tenantId, conversationId, customer, t, null));
    }

    /**
     * Builds the context and asks the model. With a streaming listener the answer is streamed and its
     * reply relayed as it is written ({@link ReplyRelay}); otherwise it is asked for in one piece.
     */
    ModelTurn callModel(TenantId tenantId, ConversationId conversationId, TenantSettings settings, int throughSeq,
                        Instant deadline, TurnListener listener) {
        return callModel(tenantId, conversationId, settings, deadline, listener,
                () -> memory.prepare(tenantId, conversationId, settings, throughSeq, deadline), false);
    }

    /**
     * The synchronous turn's call: the prompt's source was read in the transaction that stored the customer's
     * message, and the answered call's usage is left for the answer's transaction to write
     * ({@link #recordAnswer}), so the turn commits once for both.
     */
    ModelTurn callModel(TenantId tenantId, ConversationId conversationId, TenantSettings settings,
                        SessionMemory.PromptSource source, Instant deadline, TurnListener listener) {
        return callModel(tenantId, conversationId, settings, deadline, listener,
                () -> memory.prepare(source, settings, deadline), true);
    }

    /**
     * Writes the answered call's usage when the model call left it to the turn: inside the answer's transaction
     * (a failed write fails it), or on its own after that transaction failed (the provider billed the call).
     */
    ModelTurn recordAnswer(ModelTurn turn) {
        LlmResult recorded = llm.recordAnswer(turn.result());
        return recorded == turn.result() ? turn
                : new ModelTurn(turn.context(), recorded, turn.earlierConfidences(), turn.relay());
    }

    /** Reads what the prompt is built from (inside the caller's transaction, after the customer's message was stored). */
    SessionMemory.PromptSource readForPrompt(TenantId tenantId, ConversationId conversationId, Message customer) {
        return memory.readForPrompt(tenantId, conversationId, customer.seq());
    }

    private ModelTurn callModel(TenantId tenantId, ConversationId conversationId, TenantSettings settings,
                                Instant deadline, TurnListener listener, Supplier<PreparedContext> prepare,
                                boolean answerRecordedByCaller) {
        if (!llm.available(settings)) {
            // every circuit of the route is open: hand off in milliseconds, without building a prompt nobody reads
            return new ModelTurn(null, new LlmResult.Unavailable(LlmResult.UnavailableReason.CIRCUIT_OPEN,
                    "circuit open", List.of()), List.of(), null);
        }
        PreparedContext context = prepare.get();
        List<Double> earlier = context.earlierConfidences();
        var request = new LlmRequest(new CallContext(tenantId, conversationId, CallPurpose.CHAT),
                context.prompt(), 0, true, deadline, answerRecordedByCaller);
        if (!listener.streaming()) {
            return new ModelTurn(context, llm.complete(request), earlier, null);
        }
        ReplyRelay relay = new ReplyRelay(listener, signals -> triggers.afterModel(signals, earlier, settings));
        return new ModelTurn(context, llm.stream(request, relay), earlier, relay);
    }

    /** Writes an answered turn; the answer's own signals may still hand the conversation off. */
    Written writeAnswer(TenantId tenantId, ConversationId conversationId, TenantSettings settings, Message customer,
                        ModelTurn turn, String answerText) {
        ModelAnswer answer = ModelAnswers.parse(answerText);
        // a streamed turn decided on the answer's first fields, before its reply was shown: that decision stands
        var trigger = turn.relay() != null && turn.relay().trigger().isPresent() ? turn.relay().trigger()
                : triggers.afterModel(answer, turn.earlierConfidences(), settings);
        // when a person takes over, the customer reads the holding reply, not an answer the model doubted;
        // the model's answer stays with the message and in the package for the agent
        String replyText = trigger.isPresent() ? properties.holdingReply() : answer.reply();
        Message reply = conversations.append(tenantId, conversationId,
                Conversations.NewMessage.assistant(replyText, customer.seq(), ModelAnswers.toJson(answer)));
        memory.commitTurn(turn.context(), answer, customer.seq());
        HandoffRef handoff = trigger
                .map(t -> handoffs.open(tenantId, conversationId, t, answer, answer.suggestedNextAction()))
                .orElse(null);
        return new Written(reply, handoff, conversations.lockedStatus(tenantId, conversationId));
    }

    /**
     * Hands the conversation to a person with a holding reply. {@code turn} is null when the decision
     * was made before the model was asked (the customer's words, a policy topic, the budget).
     */
    Written writeHandoff(TenantId tenantId, ConversationId conversationId, Message customer, Trigger trigger,
                         ModelTurn turn) {
        Message reply = conversations.append(tenantId, conversationId,
                Conversations.NewMessage.assistant(properties.holdingReply(), customer.seq(), null));
        if (turn != null && turn.context() != null) {
            memory.commitTurn(turn.context(), null, customer.seq());
        }
        HandoffRef handoff = handoffs.open(tenantId, conversationId, trigger, null, null);
        return new Written(reply, handoff, conversations.lockedStatus(tenantId, conversationId));
    }

    /** Why a turn the model could not answer goes to a person: the budget, or the model itself. */
    static Trigger unavailable(LlmResult.Unavailable result) {
        if (result.reason() == LlmResult.UnavailableReason.BUDGET_EXHAUSTED) {
            return new Trigger(HandoffReason.BUDGET_EXHAUSTED, "The monthly model budget is spent");
        }
        return new Trigger(HandoffReason.LLM_UNAVAILABLE, "Model unavailable: " + result.reason() + " (" + result.detail() + ")");
    }

    static TurnResponse.UsageBody usage(List<RecordedCall> calls) {
        int prompt = 0;
        int completion = 0;
        BigDecimal cost = BigDecimal.ZERO;
        boolean priced = true;
        for (RecordedCall c : calls) {
            prompt += c.call().promptTokens();
            completion += c.call().completionTokens();
            cost = cost.add(c.costUsd());
            priced &= c.priced();
        }
        return new TurnResponse.UsageBody(prompt, completion, cost.stripTrailingZeros(), priced);
    }
}
