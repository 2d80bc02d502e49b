package io.colloquy.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.conversation.ConversationStatus;
import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;
import io.colloquy.handoff.HandoffRef;
import io.colloquy.handoff.Handoffs;
import io.colloquy.handoff.Trigger;
import io.colloquy.llm.LlmResult;
import io.colloquy.memory.SessionMemory;
import io.colloquy.privacy.Masker;
import io.colloquy.privacy.Privacy;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;
import io.colloquy.usage.SpendGuard;

/**
 * Async turns: the customer's message is stored and a job queued in one transaction (202); workers
 * answer it later. While the model fails, jobs wait and retry with back-off; an open circuit pauses
 * them without spending attempts; after the last attempt a job is dead and the conversation goes to a
 * person, so no customer is left without an answer.
 */
@Service
class AsyncTurns {

    private static final Logger log = LoggerFactory.getLogger(AsyncTurns.class);

    private final Conversations conversations;
    private final Tenants tenants;
    private final SessionMemory memory;
    private final Handoffs handoffs;
    private final TurnEngine engine;
    private final AsyncJobs jobs;
    private final IdempotencyStore idempotency;
    private final SpendGuard spendGuard;
    private final ChatProperties chat;
    private final JobProperties properties;
    private final TurnLeases leases;
    private final TransactionTemplate tx;
    private final Privacy privacy;

    AsyncTurns(Conversations conversations, Tenants tenants, SessionMemory memory, Handoffs handoffs,
               TurnEngine engine, AsyncJobs jobs, IdempotencyStore idempotency, SpendGuard spendGuard,
               ChatProperties chat, JobProperties properties, TurnLeases leases,
               PlatformTransactionManager transactions, Privacy privacy) {
        this.privacy = privacy;
        this.conversations = conversations;
        this.tenants = tenants;
        this.memory = memory;
        this.handoffs = handoffs;
        this.engine = engine;
        this.jobs = jobs;
        this.idempotency = idempotency;
        this.spendGuard = spendGuard;
        this.chat = chat;
        this.properties = properties;
        this.leases = leases;
        this.tx = new TransactionTemplate(transactions);
    }

    JobView enqueue(TenantId tenantId, ConversationId conversationId, String content, String idempotencyKey) {
        TenantSettings settings = tenants.settings(tenantId);
        engine.requireFits(settings, content);
        SpendGuard.Decision spend = spendGuard.check(tenantId, settings);
        String key = idempotencyKey == null ? null : "async:" + idempotencyKey;
        UUID jobId = tx.execute(s -> {
            ConversationStatus status = conversations.lockedStatus(tenantId, conversationId);
            if (key != null) {
                Optional<UUID> earlier = idempotency.lookUp(tenantId, conversationId, key, content, UUID.class);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            Message customer = engine.accept(tenantId, conversationId, status, content, spend);
            Optional<TurnEngine.Written> decided = engine.withoutModel(tenantId, conversationId, status,
                    customer, settings, spend);
            UUID id = decided
                    .map(w -> jobs.insertDone(tenantId, conversationId, customer.seq(),
                            w.reply() == null ? null : w.reply().seq(), w.handoff() == null ? null : w.handoff().id(),
                            settings.webhookUrl() != null))
                    .orElseGet(() -> jobs.insertQueued(tenantId, conversationId, customer.seq()));
            if (key != null) {
                idempotency.record(tenantId, conversationId, key, content, customer.seq());
                idempotency.complete(tenantId, conversationId, key, id);
            }
            return id;
        });
        return view(tenantId, jobId);
    }

    JobView view(TenantId tenantId, UUID jobId) {
        return view(tenantId, jobId, Masker.NONE);
    }

    /** The job as a webhook carries it: the reply through the tenant's masking (the receiver is not the customer). */
    JobView webhookView(TenantId tenantId, UUID jobId) {
        return view(tenantId, jobId, privacy.masker(tenantId));
    }

    private JobView view(TenantId tenantId, UUID jobId, Masker masker) {
        AsyncJobs.Job job = jobs.find(tenantId, jobId).orElseThrow(() -> new NotFoundException("Job", jobId));
        Message reply = job.replySeq() == null ? null
                : conversations.message(tenantId, job.conversationId(), job.replySeq()).orElse(null);
        HandoffRef handoff = job.handoffId() == null ? null : handoffs.ref(tenantId, job.handoffId()).orElse(null);
        return new JobView(job.id(), job.conversationId().value(), job.customerSeq(), job.status(), job.attempts(),
                TurnResponse.MessageBody.of(reply, masker), TurnResponse.HandoffBody.of(handoff), job.lastError(),
                job.createdAt(), job.updatedAt());
    }

    /** Runs one taken job to its next state. Never throws: a failure puts the job back for a later try. */
    void run(AsyncJobs.Job job) {
        try {
            runOnce(job);
        } catch (AsyncJobs.LeaseLostException e) {
            log.info("Job {} was taken over by another worker; dropping this run", job.id());
        } catch (RuntimeException e) {
            log.warn("Job {} failed in this run: {}", job.id(), e.toString());
            try {
                tx.executeWithoutResult(s -> {
                    if (jobs.holdsLease(job)) {
                        jobs.retryLater(job, backoff(job.attempts()), true, e.getClass().getSimpleName());
                    }
                });
            } catch (RuntimeException again) {
                log.warn("Could not reschedule job {}: {} (its lease will expire and it will be taken again)",
                        job.id(), again.toString());
            }
        }
    }

    private sealed interface Start {
        record Finished() implements Start {
        }

        record Model(Message customer, UUID turnToken) implements Start {
        }
    }

    private void runOnce(AsyncJobs.Job job) {
        TenantId tenantId = job.tenantId();
        ConversationId conversationId = job.conversationId();
        TenantSettings settings = tenants.settings(tenantId);
        boolean webhook = settings.webhookUrl() != null;
        Start start = tx.execute(s -> {
            if (!jobs.holdsLease(job)) {
                throw new AsyncJobs.LeaseLostException(job.id());
            }
            ConversationStatus status = conversations.lockedStatus(tenantId, conversationId);
            Message customer = conversations.message(tenantId, conversationId, job.customerSeq()).orElseThrow();
            Optional<Message> reply = conversations.replyTo(tenantId, conversationId, job.customerSeq());
            if (reply.isPresent()) {
                // answered already (a cut-off turn that wrote its answer late): the job is done, with that answer
                HandoffRef open = handoffs.openFor(tenantId, conversationId).orElse(null);
                jobs.complete(job, reply.get().seq(), open == null ? null : open.id(), webhook);
                idempotency.completeForCustomerMessage(tenantId, conversationId, customer.seq(), TurnResponse.of(
                        conversationId, customer, new TurnEngine.Written(reply.get(), open, status),
                        TurnResponse.UsageBody.NONE, null));
                return new Start.Finished();
            }
            if (status.humanOwned() || status == ConversationStatus.CLOSED) {
                // a person took the conversation (or it was closed) while the job waited: no model answer now
                HandoffRef open = handoffs.openFor(tenantId, conversationId).orElse(null);
                jobs.complete(job, null, open == null ? null : open.id(), webhook);
                idempotency.completeForCustomerMessage(tenantId, conversationId, customer.seq(), TurnResponse.of(
                        conversationId, customer, new TurnEngine.Written(null, open, status),
                        TurnResponse.UsageBody.NONE, null));
                return new Start.Finished();
            }
            try {
                Conversations.TurnStart turn = conversations.beginTurn(tenantId, conversationId, job.customerSeq(),
                        chat.turnLease());
                turn.orphanedCustomerSeq().ifPresent(seq -> jobs.queueUnanswered(tenantId, conversationId, seq));
                return new Start.Model(customer, turn.token());
            } catch (Conversations.TurnInProgressException busy) {
                jobs.retryLater(job, Duration.ofSeconds(1), false, null);
                return new Start.Finished();
            }
        });
        if (!(start instanceof Start.Model model)) {
            return;
        }
        Instant deadline = engine.deadlineFromNow();
        TurnEngine.ModelTurn turn;
        try (var hold = leases.hold(tenantId, conversationId, model.turnToken())) {
            turn = engine.callModel(tenantId, conversationId, settings, model.customer().seq(), deadline,
                    TurnListener.NONE);
        } catch (RuntimeException e) {
            releaseTurn(tenantId, conversationId, model.turnToken());
            throw e;
        }
        try {
            writeOutcome(job, settings, model.customer(), turn, model.turnToken(), webhook);
        } catch (RuntimeException e) {
            // the write rolled back with the turn's end: release it on its own, or the conversation stays locked
            releaseTurn(tenantId, conversationId, model.turnToken());
            throw e;
        }
    }

    private void writeOutcome(AsyncJobs.Job job, TenantSettings settings, Message customer, TurnEngine.ModelTurn turn,
                              UUID turnToken, boolean webhook) {
        TenantId tenantId = job.tenantId();
        ConversationId conversationId = job.conversationId();
        tx.executeWithoutResult(s -> {
            if (!jobs.holdsLease(job)) {
                throw new AsyncJobs.LeaseLostException(job.id());
            }
            if (!conversations.holdsTurn(tenantId, conversationId, turnToken)) {
                // the turn outlived its lease: the recovery took the message over; this run's answer is dropped
                throw new AsyncJobs.LeaseLostException(job.id());
            }
            switch (turn.result()) {
                case LlmResult.Answered a -> {
                    TurnEngine.Written written = engine.writeAnswer(tenantId, conversationId, settings, customer,
                            turn, a.text());
                    jobs.complete(job, written.reply().seq(), written.handoff() == null ? null : written.handoff().id(),
                            webhook);
                    // a synchronous turn cut off before it answered gets its answer here, for its retry
                    idempotency.completeForCustomerMessage(tenantId, conversationId, customer.seq(), TurnResponse.of(
                            conversationId, customer, written, TurnEngine.usage(turn.calls()),
                            TurnResponse.AnsweredBy.of(turn.result())));
                }
                case LlmResult.Unavailable u -> {
                    if (turn.context() != null) {
                        memory.commitTurn(turn.context(), null, customer.seq());
                    }
                    boolean waitingOut = u.reason() == LlmResult.UnavailableReason.CIRCUIT_OPEN
                            || u.reason() == LlmResult.UnavailableReason.BULKHEAD_FULL;
                    // the budget comes back only with the next month: no point in trying again
                    boolean final0 = u.reason() == LlmResult.UnavailableReason.BUDGET_EXHAUSTED
                            || job.attempts() >= properties.maxAttempts();
                    if (!waitingOut && final0) {
                        Trigger trigger = TurnEngine.unavailable(u);
                        TurnEngine.Written written = engine.writeHandoff(tenantId, conversationId, customer, trigger,
                                null);
                        jobs.dead(job, u.reason() + ": " + u.detail(), written.handoff().id(), webhook);
                        idempotency.completeForCustomerMessage(tenantId, conversationId, customer.seq(),
                                TurnResponse.of(conversationId, customer, written, TurnEngine.usage(turn.calls()), null));
                        log.warn("Job {} is dead after {} attempts; conversation {} handed off", job.id(),
                                job.attempts(), conversationId);
                    } else {
                        jobs.retryLater(job, waitingOut ? Duration.ofSeconds(1) : backoff(job.attempts()), !waitingOut,
                                u.reason() + ": " + u.detail());
                    }
                }
            }
            conversations.endTurn(tenantId, conversationId, turnToken);
        });
    }

    private void releaseTurn(TenantId tenantId, ConversationId conversationId, UUID token) {
        try {
            tx.executeWithoutResult(s -> conversations.endTurn(tenantId, conversationId, token));
        } catch (RuntimeException e) {
            log.warn("Could not release the turn on conversation {}: {} (it expires by itself)", conversationId,
                    e.toString());
        }
    }

    /** Exponential back-off with full jitter in [½, 1½) of the nominal wait. */
    Duration backoff(int attempts) {
        long nominal = properties.backoffInitial().toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(nominal, properties.backoffMax().toMillis());
        return Duration.ofMillis((long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble())));
    }
}
