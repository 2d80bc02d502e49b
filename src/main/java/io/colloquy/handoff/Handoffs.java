package io.colloquy.handoff;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;
import io.colloquy.conversation.MessageRole;
import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.ModelAnswers;
import io.colloquy.memory.MemoryView;
import io.colloquy.memory.SessionMemory;
import io.colloquy.privacy.Masker;
import io.colloquy.privacy.Privacy;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.Ids;
import io.colloquy.shared.LogContext;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;

/**
 * Opens handoffs with their package, and runs the agent queue: claim (exactly once), reply, release,
 * resolve, and the return of claims whose lease ran out. Every change to a handoff moves the
 * conversation's state in the same transaction.
 */
@Service
public class Handoffs {

    private static final Logger log = LoggerFactory.getLogger(Handoffs.class);
    private static final int CONFIDENCE_HISTORY = 10;

    private final HandoffRepository repository;
    private final Conversations conversations;
    private final SessionMemory memory;
    private final Tenants tenants;
    private final HandoffProperties properties;
    private final MeterRegistry meters;
    private final QueueEvents events;
    private final Clock clock;
    private final Privacy privacy;

    Handoffs(HandoffRepository repository, Conversations conversations, SessionMemory memory, Tenants tenants,
             HandoffProperties properties, MeterRegistry meters, QueueEvents events, Clock clock, Privacy privacy) {
        this.privacy = privacy;
        this.repository = repository;
        this.conversations = conversations;
        this.memory = memory;
        this.tenants = tenants;
        this.properties = properties;
        this.meters = meters;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Hands the conversation to a human, inside the caller's transaction (with the turn's messages).
     * A conversation already waiting for or with a human keeps its one open handoff.
     *
     * @param lastAnswer          the model's answer that led here, or null when there is none
     * @param suggestedNextAction the model's suggestion, or null for a rule-based one
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public HandoffRef open(TenantId tenantId, ConversationId conversationId, Trigger trigger, ModelAnswer lastAnswer,
                           String suggestedNextAction) {
        Optional<HandoffEntity> existing = repository.findOpen(tenantId.value(), conversationId.value());
        if (existing.isPresent()) {
            return new HandoffRef(existing.get().id(), existing.get().reason());
        }
        var conversation = conversations.lockAndGet(tenantId, conversationId);
        TenantSettings settings = tenants.settings(tenantId);
        // stored masked, and masked again whenever it is read (the tenant's patterns may have changed)
        Masker masker = privacy.masker(tenantId);
        MemoryView mem = memory.view(tenantId, conversationId, settings.contextTokenBudget()).masked(masker);

        // the model's own answers only: holding replies carry no reasoning state
        List<ModelAnswer> answers = conversations.latestAssistantMessages(tenantId, conversationId, CONFIDENCE_HISTORY)
                .stream().filter(m -> m.modelAnswer() != null).map(m -> ModelAnswers.fromJson(m.modelAnswer())).toList();
        List<Double> confidences = new ArrayList<>();
        for (ModelAnswer a : answers.reversed()) {
            confidences.add(a.confidence());
        }
        ModelAnswer last = lastAnswer != null ? lastAnswer : answers.isEmpty() ? null : answers.getFirst();
        String lastCustomer = conversations.messagesBetween(tenantId, conversationId,
                        Math.max(0, conversation.lastSeq() - 10), conversation.lastSeq()).stream()
                .filter(m -> m.role() == MessageRole.CUSTOMER).map(m -> masker.mask(m.content()))
                .reduce((a, b) -> b).orElse(null);
        List<HandoffPackage.Fact> facts = mem.facts().stream()
                .map(f -> new HandoffPackage.Fact(f.key(), f.value(), f.sourceSeq(), f.previousValue()))
                .toList();
        String next = suggestedNextAction != null && !suggestedNextAction.isBlank() ? suggestedNextAction
                : NextActions.suggest(trigger.reason(), mem.intent(), facts, lastCustomer);
        var entity = new HandoffEntity(Ids.newId(), tenantId.value(), conversationId.value(), trigger, clock.instant(),
                conversation.lastSeq(), mem.summary(), facts, mem.intent(), mem.openQuestions(),
                last == null ? null : ModelAnswers.toJson(mask(last, masker)), confidences, masker.mask(next),
                mem.recalled().stream().map(r -> new HandoffPackage.Recalled(r.seq(), r.role(), r.createdAt(),
                        r.quote())).toList());
        repository.save(entity);
        conversations.moveTo(tenantId, conversationId, ConversationStatus.AWAITING_AGENT);
        events.publish(QueueEvents.Type.OPENED, entity);
        Counter.builder("colloquy.handoffs.opened").description("Handoffs opened, by reason")
                .tags("tenant", tenantId.toString(), "reason", trigger.reason().name())
                .register(meters).increment();
        log.info("Handoff {} opened for conversation {}: {}", entity.id(), conversationId, trigger.reason());
        return new HandoffRef(entity.id(), trigger.reason());
    }

    /**
     * A customer message arrived on a conversation a person owns (inside the caller's transaction): its
     * open handoff, and a queue event so the agent holding it sees the message at once.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<HandoffRef> customerWrote(TenantId tenantId, ConversationId conversationId, Message customer) {
        Optional<HandoffEntity> open = repository.findOpen(tenantId.value(), conversationId.value());
        open.ifPresent(h -> events.publish(QueueEvents.Type.CUSTOMER_MESSAGE, h, customer.seq()));
        return open.map(h -> new HandoffRef(h.id(), h.reason()));
    }

    /** The open handoff of a conversation, if it has one. */
    @Transactional(readOnly = true)
    public Optional<HandoffRef> openFor(TenantId tenantId, ConversationId conversationId) {
        return repository.findOpen(tenantId.value(), conversationId.value())
                .map(h -> new HandoffRef(h.id(), h.reason()));
    }

    /** A handoff's id and reason, for references from other records (async jobs). */
    @Transactional(readOnly = true)
    public Optional<HandoffRef> ref(TenantId tenantId, UUID handoffId) {
        return repository.find(tenantId.value(), handoffId).map(h -> new HandoffRef(h.id(), h.reason()));
    }

    @Transactional(readOnly = true)
    public List<HandoffView> queue(TenantId tenantId, HandoffStatus status, int limit) {
        Instant now = clock.instant();
        return repository.queue(tenantId.value(), status, Limit.of(limit)).stream()
                .map(h -> view(h, null, now)).toList();
    }

    @Transactional(readOnly = true)
    public HandoffView get(TenantId tenantId, UUID handoffId) {
        HandoffEntity h = repository.find(tenantId.value(), handoffId)
                .orElseThrow(() -> new NotFoundException("Handoff", handoffId));
        return view(h, packageOf(h), clock.instant());
    }

    /** Claims one handoff; exactly one of any number of concurrent claimants wins, the rest get 409. */
    @Transactional
    public HandoffView claim(TenantId tenantId, UUID handoffId, UUID agentKeyId, String agentName) {
        HandoffEntity h = repository.lock(tenantId.value(), handoffId)
                .orElseThrow(() -> new NotFoundException("Handoff", handoffId));
        return claimed(h, agentKeyId, agentName);
    }

    /** Claims the most urgent pending handoff, skipping ones other agents are claiming at this moment. */
    @Transactional
    public Optional<HandoffView> claimNext(TenantId tenantId, UUID agentKeyId, String agentName) {
        return repository.lockNextPending(tenantId.value()).map(h -> claimed(h, agentKeyId, agentName));
    }

    private HandoffView claimed(HandoffEntity h, UUID agentKeyId, String agentName) {
        Instant now = clock.instant();
        h.claim(agentName, agentKeyId, now, properties.claimLease());
        conversations.moveTo(TenantId.of(h.tenantId()), ConversationId.of(h.conversationId()),
                ConversationStatus.WITH_AGENT);
        repository.flush();
        events.publish(QueueEvents.Type.CLAIMED, h);
        return view(h, packageOf(h), now);
    }

    /** The agent's reply goes into the customer's transcript; acting renews the claim's lease. */
    @Transactional
    public Message reply(TenantId tenantId, UUID handoffId, UUID agentKeyId, String content) {
        HandoffEntity h = lockOwn(tenantId, handoffId);
        h.touch(agentKeyId, clock.instant(), properties.claimLease());
        return conversations.append(tenantId, ConversationId.of(h.conversationId()),
                Conversations.NewMessage.agent(content, h.claimedBy()));
    }

    @Transactional
    public HandoffView release(TenantId tenantId, UUID handoffId, UUID agentKeyId) {
        HandoffEntity h = lockOwn(tenantId, handoffId);
        h.release(agentKeyId);
        conversations.moveTo(tenantId, ConversationId.of(h.conversationId()), ConversationStatus.AWAITING_AGENT);
        events.publish(QueueEvents.Type.RELEASED, h);
        return view(h, null, clock.instant());
    }

    /**
     * Resolves the handoff: the conversation returns to the model (with the agent's note, which the
     * model reads on its next turn) or is closed.
     */
    @Transactional
    public HandoffView resolve(TenantId tenantId, UUID handoffId, UUID agentKeyId, boolean returnToBot, String note) {
        HandoffEntity h = lockOwn(tenantId, handoffId);
        ConversationId conversationId = ConversationId.of(h.conversationId());
        h.resolve(agentKeyId, returnToBot ? "RETURNED_TO_BOT" : "CLOSED", note, clock.instant());
        if (returnToBot && note != null && !note.isBlank()) {
            conversations.append(tenantId, conversationId, Conversations.NewMessage.system(note, h.claimedBy()));
        }
        conversations.moveTo(tenantId, conversationId, returnToBot ? ConversationStatus.BOT : ConversationStatus.CLOSED);
        events.publish(QueueEvents.Type.RESOLVED, h);
        return view(h, null, clock.instant());
    }

    /** Returns claims whose lease ran out to the queue; safe to run on every instance at once. */
    @Transactional
    public int expireLeases(int limit) {
        List<HandoffEntity> expired = repository.lockExpiredClaims(clock.instant(), limit);
        for (HandoffEntity h : expired) {
            try (var logContext = LogContext.of(TenantId.of(h.tenantId()), ConversationId.of(h.conversationId()))) {
                log.info("Claim on handoff {} by {} expired; back in the queue", h.id(), h.claimedBy());
            }
            h.expire();
            conversations.moveTo(TenantId.of(h.tenantId()), ConversationId.of(h.conversationId()),
                    ConversationStatus.AWAITING_AGENT);
            events.publish(QueueEvents.Type.LEASE_EXPIRED, h);
        }
        return expired.size();
    }

    List<HandoffRepository.QueueStats> queueStats() {
        return repository.queueStats();
    }

    private HandoffEntity lockOwn(TenantId tenantId, UUID handoffId) {
        return repository.lock(tenantId.value(), handoffId)
                .orElseThrow(() -> new NotFoundException("Handoff", handoffId));
    }

    private HandoffPackage packageOf(HandoffEntity h) {
        TenantId tenantId = TenantId.of(h.tenantId());
        ConversationId conversationId = ConversationId.of(h.conversationId());
        Masker masker = privacy.masker(tenantId);
        int inline = properties.transcriptInline();
        int from = Math.max(0, h.throughSeq() - inline);
        List<HandoffPackage.PackagedMessage> transcript = conversations
                .messagesBetween(tenantId, conversationId, from, h.throughSeq()).stream()
                .map(m -> packaged(m, masker)).toList();
        HandoffPackage.TranscriptRef ref = from == 0 ? null : new HandoffPackage.TranscriptRef(h.conversationId(), 1,
                from, "/api/v1/conversations/" + h.conversationId() + "/messages?after=0");
        int last = conversations.get(tenantId, conversationId).lastSeq();
        List<HandoffPackage.PackagedMessage> waiting = conversations
                .messagesBetween(tenantId, conversationId, h.throughSeq(), last).stream()
                .filter(m -> m.role() == MessageRole.CUSTOMER)
                .map(m -> packaged(m, masker)).toList();
        ModelAnswer lastAnswer = h.lastModelAnswer() == null ? null : ModelAnswers.fromJson(h.lastModelAnswer());
        return new HandoffPackage(transcript, ref, masker.mask(h.summary()),
                h.facts().stream().map(f -> new HandoffPackage.Fact(f.key(), masker.mask(f.value()), f.sourceSeq(),
                        masker.mask(f.previousValue()))).toList(),
                masker.mask(h.intent()), masker.mask(h.openQuestions()),
                lastAnswer == null ? null : mask(lastAnswer, masker), h.confidenceHistory(),
                masker.mask(nextAction(h, lastAnswer, waiting)), waiting,
                Duration.between(h.createdAt(), clock.instant()).toSeconds(),
                h.recalled().stream().map(r -> new HandoffPackage.Recalled(r.seq(), r.role(), r.createdAt(),
                        masker.mask(r.quote()))).toList());
    }

    /**
     * A rule-based suggestion answers the customer's latest message, so one written while waiting replaces the
     * message that triggered the handoff. The model's own suggestion stands (the model has not seen the newer
     * messages, and is not asked again). A stored suggestion is the model's when it is the one in the model's
     * stored answer: both were masked alike when the handoff opened.
     */
    private static String nextAction(HandoffEntity h, ModelAnswer lastAnswer,
                                     List<HandoffPackage.PackagedMessage> waiting) {
        boolean fromModel = lastAnswer != null && lastAnswer.suggestedNextAction() != null
                && lastAnswer.suggestedNextAction().equals(h.suggestedNextAction());
        if (fromModel || waiting.isEmpty()) {
            return h.suggestedNextAction();
        }
        return NextActions.suggest(h.reason(), h.intent(), h.facts(), waiting.getLast().content());
    }

    private static HandoffPackage.PackagedMessage packaged(Message m, Masker masker) {
        return new HandoffPackage.PackagedMessage(m.seq(), m.role().name(), masker.mask(m.content()), m.createdAt(),
                m.author());
    }

    private static ModelAnswer mask(ModelAnswer a, Masker masker) {
        return new ModelAnswer(masker.mask(a.reply()), a.confidence(), masker.mask(a.intent()), a.needsHuman(),
                masker.mask(a.handoffReason()), masker.mask(a.reasoningSummary()), masker.mask(a.suggestedNextAction()),
                a.facts().stream().map(f -> new ModelAnswer.Fact(f.key(), masker.mask(f.value()))).toList(),
                masker.mask(a.openQuestions()), a.structured());
    }

    private HandoffView view(HandoffEntity h, HandoffPackage pkg, Instant now) {
        Instant end = h.resolvedAt() != null ? h.resolvedAt() : h.claimedAt() != null ? h.claimedAt() : now;
        // the detail can be the model's own words about the customer
        Masker masker = privacy.masker(TenantId.of(h.tenantId()));
        return new HandoffView(h.id(), h.conversationId(), h.status(), h.reason(), masker.mask(h.reasonDetail()),
                h.priority(), h.createdAt(), Duration.between(h.createdAt(), end).toSeconds(), h.claimedBy(),
                h.claimedAt(), h.leaseUntil(), h.resolvedAt(), h.resolution(), pkg);
    }
}
