package io.colloquy.conversation;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.EntityManager;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.events.Notifications;
import io.colloquy.privacy.Privacy;
import io.colloquy.shared.ConflictException;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.Ids;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.TransactionScoped;
import tools.jackson.databind.json.JsonMapper;

/**
 * Conversations and their append-only transcript: the module's public face. Every read and write is
 * scoped by tenant, so another tenant's conversation is indistinguishable from a missing one.
 */
@Service
public class Conversations {

    /**
     * The transcript's rows, read with plain SQL (the turn reads them on every prompt): append-only, so
     * nothing about them needs an entity's bookkeeping.
     */
    private static final String MESSAGES = """
            SELECT seq, role, content, created_at, in_reply_to, author, model_answer FROM messages
            WHERE tenant_id = :tenant AND conversation_id = :conversation""";
    /**
     * The same rows without the model's stored answers: the prompt reads the transcript on every turn, and
     * turning each answer's jsonb back into text was a good part of that read's cost in PostgreSQL.
     */
    private static final String MESSAGE_TEXTS = """
            SELECT seq, role, content, created_at, in_reply_to, author, NULL AS model_answer FROM messages
            WHERE tenant_id = :tenant AND conversation_id = :conversation""";

    /** Key of the per-transaction map of locked conversations. */
    private static final Object LOCKED = new Object();

    private final ConversationRepository conversations;
    private final Clock clock;
    private final EntityManager entityManager;
    private final JdbcClient jdbc;
    private final Notifications notifications;
    private final Privacy privacy;
    private final JsonMapper json;

    Conversations(ConversationRepository conversations, Clock clock,
                  EntityManager entityManager, JdbcClient jdbc, Notifications notifications, Privacy privacy,
                  JsonMapper json) {
        this.conversations = conversations;
        this.clock = clock;
        this.entityManager = entityManager;
        this.jdbc = jdbc;
        this.notifications = notifications;
        this.privacy = privacy;
        this.json = json;
    }

    /**
     * Erases a conversation with everything kept for it: transcript, memory, recall index, handoffs, jobs
     * (and so their pending webhooks), idempotency records and events go with it (their foreign keys
     * cascade). The usage ledger and its roll-ups keep their rows, which hold costs and ids, no text, so
     * finance totals stay as they were.
     *
     * @return whether there was such a conversation
     */
    @Transactional
    public boolean erase(TenantId tenantId, ConversationId id) {
        return jdbc.sql("DELETE FROM conversations WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", tenantId.value()).param("id", id.value()).update() > 0;
    }

    /** Erases every conversation of one of the tenant's customers (as {@link #erase}); returns their ids. */
    @Transactional
    public List<ConversationId> eraseCustomer(TenantId tenantId, String externalUserRef) {
        return jdbc.sql("DELETE FROM conversations WHERE tenant_id = :tenant AND external_user_ref = :ref RETURNING id")
                .param("tenant", tenantId.value()).param("ref", externalUserRef)
                .query((rs, n) -> ConversationId.of(rs.getObject("id", UUID.class))).list();
    }

    /** Erases up to {@code limit} of the tenant's conversations idle since before {@code before}. */
    @Transactional
    public int eraseIdleSince(TenantId tenantId, java.time.Instant before, int limit) {
        return jdbc.sql("""
                        DELETE FROM conversations WHERE tenant_id = :tenant AND id IN (
                            SELECT id FROM conversations WHERE tenant_id = :tenant AND updated_at < :before LIMIT :limit)""")
                .param("tenant", tenantId.value()).param("before", Timestamp.from(before)).param("limit", limit)
                .update();
    }

    /** The notification key of a conversation's events. */
    public static String eventKey(ConversationId id) {
        return "c:" + id.value();
    }

    @Transactional
    public ConversationView start(TenantId tenantId, String externalUserRef, Map<String, Object> metadata) {
        var entity = new ConversationEntity(Ids.newId(), tenantId.value(), externalUserRef, metadata, clock.instant());
        // persist, not save: an entity with an assigned id would otherwise be merged (a SELECT before the INSERT);
        // flushed at once, so a lock taken later in the same transaction (plain SQL) finds the row
        entityManager.persist(entity);
        entityManager.flush();
        return entity.view();
    }

    @Transactional(readOnly = true)
    public ConversationView get(TenantId tenantId, ConversationId id) {
        return find(tenantId, id).orElseThrow(() -> notFound(id));
    }

    @Transactional(readOnly = true)
    public Optional<ConversationView> find(TenantId tenantId, ConversationId id) {
        LockedConversation held = heldInThisTransaction(tenantId, id);
        if (held != null) {
            // this transaction's own changes, not yet written back
            return Optional.of(held.view(json));
        }
        return conversations.find(tenantId.value(), id.value()).map(ConversationEntity::view);
    }

    /** Messages with a sequence number above {@code afterSeq}, oldest first. */
    @Transactional(readOnly = true)
    public List<Message> messagesAfter(TenantId tenantId, ConversationId id, int afterSeq, int limit) {
        requireExists(tenantId, id);
        return jdbc.sql(MESSAGES + " AND seq > :after ORDER BY seq LIMIT :limit")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("after", afterSeq)
                .param("limit", limit).query(Conversations::message).list();
    }

    /** Messages in {@code (afterSeq, throughSeq]}, oldest first, without the model's stored answers. */
    @Transactional(readOnly = true)
    public List<Message> messagesBetween(TenantId tenantId, ConversationId id, int afterSeq, int throughSeq) {
        return jdbc.sql(MESSAGE_TEXTS + " AND seq > :after AND seq <= :through ORDER BY seq")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("after", afterSeq)
                .param("through", throughSeq).query(Conversations::message).list();
    }

    @Transactional(readOnly = true)
    public Optional<Message> message(TenantId tenantId, ConversationId id, int seq) {
        return jdbc.sql(MESSAGES + " AND seq = :seq")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("seq", seq)
                .query(Conversations::message).optional();
    }

    /** The model's most recent answers, newest first (for confidence history and handoff packages). */
    @Transactional(readOnly = true)
    public List<Message> latestAssistantMessages(TenantId tenantId, ConversationId id, int limit) {
        return jdbc.sql(MESSAGES + " AND role = 'ASSISTANT' ORDER BY seq DESC LIMIT :limit")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("limit", limit)
                .query(Conversations::message).list();
    }

    /**
     * The confidences of the model's most recent answers, newest first; null where an answer had none (plain
     * text, or a holding reply). Read from the stored answers in SQL: a turn needs only this number of each,
     * not the whole answer parsed.
     */
    @Transactional(readOnly = true)
    public List<Double> latestConfidences(TenantId tenantId, ConversationId id, int limit) {
        return jdbc.sql("""
                        SELECT CAST(model_answer ->> 'confidence' AS double precision) AS confidence FROM messages
                        WHERE tenant_id = :tenant AND conversation_id = :conversation AND role = 'ASSISTANT'
                        ORDER BY seq DESC LIMIT :limit""")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("limit", limit)
                .query((rs, n) -> rs.getObject("confidence", Double.class)).list();
    }

    /**
     * Appends to the transcript inside the caller's transaction, holding the conversation's row lock
     * so sequence numbers are gap-free and in order. The text is stored as the tenant's privacy policy
     * allows (with {@code redactBeforeModel}, card numbers and its patterns replaced), and everything that
     * reads the transcript (the model's prompt, the memory, summaries, recall) reads what was stored.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Message append(TenantId tenantId, ConversationId id, NewMessage message) {
        LockedConversation conversation = lock(tenantId, id);
        var now = clock.instant();
        int seq = conversation.nextSeq(now);
        String content = privacy.redact(tenantId, message.content());
        // the message and its event in one statement (one round trip instead of two on every turn's two writes)
        jdbc.sql("""
                        WITH message AS (
                            INSERT INTO messages (tenant_id, conversation_id, seq, role, content, in_reply_to, model_answer,
                                author, created_at)
                            VALUES (:tenant, :conversation, :seq, :role, :content, :inReplyTo, CAST(:modelAnswer AS jsonb),
                                :author, :now)
                            RETURNING tenant_id, seq)
                        INSERT INTO conversation_events (tenant_id, conversation_id, seq, kind, message_seq, status, created_at)
                        SELECT tenant_id, :conversation, :eventSeq, :kind, seq, NULL, :now FROM message
                        WHERE tenant_id = :tenant""")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("seq", seq)
                .param("role", message.role().name()).param("content", content).param("inReplyTo", message.inReplyTo())
                .param("modelAnswer", message.modelAnswer()).param("author", message.author())
                .param("now", Timestamp.from(now))
                .param("eventSeq", conversation.nextEventSeq()).param("kind", ConversationEvent.Kind.MESSAGE.name())
                .update();
        notifications.publish(eventKey(id), tenantId.toString());
        return new Message(seq, message.role(), content, now, message.inReplyTo(), message.author(),
                message.modelAnswer());
    }

    /**
     * Records a status change in the conversation's event log (inside the caller's transaction, under the
     * row lock, so events are numbered in the order they happened; a message's event is written with the
     * message in {@link #append}) and wakes its streams on every instance when the transaction commits.
     */
    private void recordStatusEvent(TenantId tenantId, ConversationId id, LockedConversation conversation,
                                   ConversationStatus status) {
        jdbc.sql("""
                        INSERT INTO conversation_events (tenant_id, conversation_id, seq, kind, message_seq, status, created_at)
                        VALUES (:tenant, :conversation, :seq, :kind, NULL, :status, :now)""")
                .param("tenant", tenantId.value()).param("conversation", id.value())
                .param("seq", conversation.nextEventSeq()).param("kind", ConversationEvent.Kind.STATUS.name())
                .param("status", status.name())
                .param("now", java.sql.Timestamp.from(clock.instant()))
                .update();
        notifications.publish(eventKey(id), tenantId.toString());
    }

    /**
     * A conversation's events after {@code afterSeq}, oldest first, with each message event's message.
     * Streams read here after every notification, so the transcript stays the source of truth.
     */
    @Transactional(readOnly = true)
    public List<ConversationEvent> eventsAfter(TenantId tenantId, ConversationId id, long afterSeq, int limit) {
        return jdbc.sql("""
                        SELECT e.seq, e.kind, e.status, e.created_at, m.seq AS m_seq, m.role, m.content, m.created_at AS m_at,
                               m.in_reply_to, m.author
                        FROM conversation_events e
                        LEFT JOIN messages m ON m.tenant_id = e.tenant_id AND m.conversation_id = e.conversation_id
                                            AND m.seq = e.message_seq
                        WHERE e.tenant_id = :tenant AND e.conversation_id = :conversation AND e.seq > :after
                        ORDER BY e.seq LIMIT :limit""")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("after", afterSeq)
                .param("limit", limit)
                .query((rs, n) -> {
                    var kind = ConversationEvent.Kind.valueOf(rs.getString("kind"));
                    Message message = null;
                    if (kind == ConversationEvent.Kind.MESSAGE && rs.getObject("m_seq") != null) {
                        int inReplyTo = rs.getInt("in_reply_to");
                        message = new Message(rs.getInt("m_seq"), MessageRole.valueOf(rs.getString("role")),
                                rs.getString("content"), rs.getTimestamp("m_at").toInstant(),
                                rs.wasNull() ? null : inReplyTo, rs.getString("author"), null);
                    }
                    String status = rs.getString("status");
                    return new ConversationEvent(rs.getLong("seq"), kind, message,
                            status == null ? null : ConversationStatus.valueOf(status),
                            rs.getTimestamp("created_at").toInstant());
                })
                .list();
    }

    /** The number of the conversation's latest event (0 when it has none). */
    @Transactional(readOnly = true)
    public long lastEventSeq(TenantId tenantId, ConversationId id) {
        return jdbc.sql("SELECT last_event_seq FROM conversations WHERE tenant_id = :tenant AND id = :id")
                .param("tenant", tenantId.value()).param("id", id.value())
                .query(Long.class).optional().orElseThrow(() -> notFound(id));
    }

    /** The conversation's current state, read under its row lock (inside the caller's transaction). */
    @Transactional(propagation = Propagation.MANDATORY)
    public ConversationView lockAndGet(TenantId tenantId, ConversationId id) {
        return lock(tenantId, id).view(json);
    }

    /** The conversation's status, read under its row lock (inside the caller's transaction). */
    @Transactional(propagation = Propagation.MANDATORY)
    public ConversationStatus lockedStatus(TenantId tenantId, ConversationId id) {
        return lock(tenantId, id).status();
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public ConversationView moveTo(TenantId tenantId, ConversationId id, ConversationStatus target) {
        LockedConversation conversation = lock(tenantId, id);
        conversation.moveTo(target, clock.instant());
        recordStatusEvent(tenantId, id, conversation, target);
        return conversation.view(json);
    }

    /**
     * Starts a model turn answering the customer message {@code customerSeq}, holding the conversation
     * for {@code lease} (renewed by {@link #renewTurn} while the turn lives); a second concurrent turn on
     * the same conversation is refused with 409 rather than racing on its memory. When it takes over from
     * a turn that died before the recovery freed it, the result names the dead turn's customer message, so
     * the caller queues it (if still unanswered) in this same transaction and nothing is lost.
     */
    @Transactional(propagation = Propagation.MANDATORY, noRollbackFor = TurnInProgressException.class)
    public TurnStart beginTurn(TenantId tenantId, ConversationId id, int customerSeq, Duration lease) {
        UUID token = UUID.randomUUID();
        LockedConversation conversation = lock(tenantId, id);
        Instant now = clock.instant();
        Integer orphan = conversation.abandonedTurnCustomerSeq(now);
        if (!conversation.tryBeginTurn(token, customerSeq, now, lease)) {
            throw new TurnInProgressException(id);
        }
        return new TurnStart(token, orphan == null || orphan == customerSeq ? Optional.empty() : Optional.of(orphan));
    }

    /** A begun turn, and the customer message of a dead turn it took the conversation from. */
    public record TurnStart(UUID token, Optional<Integer> orphanedCustomerSeq) {
    }

    /** Extends a live turn's lease; false when the turn no longer holds the conversation. */
    @Transactional
    public boolean renewTurn(TenantId tenantId, ConversationId id, UUID token, Duration lease) {
        return jdbc.sql("""
                        UPDATE conversations SET turn_lease_until = :until
                        WHERE tenant_id = :tenant AND id = :id AND turn_token = :token""")
                .param("until", java.sql.Timestamp.from(clock.instant().plus(lease)))
                .param("tenant", tenantId.value()).param("id", id.value()).param("token", token)
                .update() == 1;
    }

    /** A turn whose lease ran out: its instance died or lost the database in the middle of it. */
    public record AbandonedTurn(TenantId tenantId, ConversationId conversationId, Integer customerSeq) {
    }

    /**
     * Takes up to {@code limit} turns whose lease ran out (inside the caller's transaction, rows locked
     * and skipped by other instances) and frees their conversations. The caller decides what becomes of
     * each turn's customer message.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<AbandonedTurn> releaseAbandonedTurns(int limit) {
        Timestamp now = Timestamp.from(clock.instant());
        List<AbandonedTurn> abandoned = jdbc.sql("""
                        /* cross-tenant: turn-recovery */
                        SELECT tenant_id, id, turn_customer_seq FROM conversations
                        WHERE turn_token IS NOT NULL AND turn_lease_until < :now
                        ORDER BY turn_lease_until LIMIT :limit FOR UPDATE SKIP LOCKED""")
                .param("now", now).param("limit", limit)
                .query((rs, n) -> {
                    int seq = rs.getInt("turn_customer_seq");
                    return new AbandonedTurn(TenantId.of(rs.getObject("tenant_id", UUID.class)),
                            ConversationId.of(rs.getObject("id", UUID.class)), rs.wasNull() ? null : seq);
                })
                .list();
        for (AbandonedTurn t : abandoned) {
            jdbc.sql("""
                            UPDATE conversations SET turn_token = NULL, turn_started_at = NULL, turn_lease_until = NULL,
                                turn_customer_seq = NULL
                            WHERE tenant_id = :tenant AND id = :id AND turn_lease_until < :now""")
                    .param("tenant", t.tenantId().value()).param("id", t.conversationId().value()).param("now", now)
                    .update();
        }
        return abandoned;
    }

    /** The assistant's answer to the customer message {@code customerSeq}, if it has one. */
    @Transactional(readOnly = true)
    public Optional<Message> replyTo(TenantId tenantId, ConversationId id, int customerSeq) {
        return jdbc.sql(MESSAGES + " AND role = 'ASSISTANT' AND in_reply_to = :customerSeq")
                .param("tenant", tenantId.value()).param("conversation", id.value()).param("customerSeq", customerSeq)
                .query(Conversations::message).optional();
    }

    /**
     * Whether the turn {@code token} still holds the conversation (inside the caller's transaction, under
     * the row lock). A turn that outlived its lease was taken over by the recovery and must not write.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean holdsTurn(TenantId tenantId, ConversationId id, UUID token) {
        return lock(tenantId, id).holdsTurn(token);
    }

    /** Ends a turn; false when the token had expired and another turn took over. */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean endTurn(TenantId tenantId, ConversationId id, UUID token) {
        return lock(tenantId, id).endTurn(token);
    }

    /**
     * The conversation under its row lock, found by id and tenant together, so no caller can lock
     * another tenant's row. Within one transaction the first call locks it; later calls get the same
     * {@link LockedConversation}, with this transaction's changes, which are written back before the commit.
     */
    private LockedConversation lock(TenantId tenantId, ConversationId id) {
        Map<UUID, LockedConversation> locked = lockedInThisTransaction();
        LockedConversation held = locked.get(id.value());
        if (held != null && held.tenantId().equals(tenantId.value())) {
            return held;
        }
        LockedConversation row = held == null ? LockedConversation.lock(jdbc, tenantId, id) : null;
        if (row == null) {
            throw notFound(id);
        }
        locked.put(id.value(), row);
        return row;
    }

    /** The conversation as this transaction changed it, when it holds its lock; else null. */
    private static LockedConversation heldInThisTransaction(TenantId tenantId, ConversationId id) {
        Map<UUID, LockedConversation> locked = TransactionScoped.existing(LOCKED);
        LockedConversation held = locked == null ? null : locked.get(id.value());
        return held != null && held.tenantId().equals(tenantId.value()) ? held : null;
    }

    /**
     * The conversations this transaction holds row locks on: their changes are written back just before it
     * commits (one UPDATE each), and they are forgotten when it ends.
     */
    private Map<UUID, LockedConversation> lockedInThisTransaction() {
        return TransactionScoped.map(LOCKED, locked -> locked.values().forEach(c -> c.writeBack(jdbc)));
    }

    private void requireExists(TenantId tenantId, ConversationId id) {
        if (conversations.find(tenantId.value(), id.value()).isEmpty()) {
            throw notFound(id);
        }
    }

    private static NotFoundException notFound(ConversationId id) {
        return new NotFoundException("Conversation", id);
    }

    private static Message message(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        int inReplyTo = rs.getInt("in_reply_to");
        Integer replyTo = rs.wasNull() ? null : inReplyTo;
        return new Message(rs.getInt("seq"), MessageRole.valueOf(rs.getString("role")), rs.getString("content"),
                rs.getTimestamp("created_at").toInstant(), replyTo, rs.getString("author"), rs.getString("model_answer"));
    }

    /** A message to append. */
    public record NewMessage(MessageRole role, String content, Integer inReplyTo, String modelAnswer, String author) {

        public static NewMessage customer(String content) {
            return new NewMessage(MessageRole.CUSTOMER, content, null, null, null);
        }

        public static NewMessage assistant(String content, int inReplyTo, String modelAnswerJson) {
            return new NewMessage(MessageRole.ASSISTANT, content, inReplyTo, modelAnswerJson, null);
        }

        public static NewMessage agent(String content, String agent) {
            return new NewMessage(MessageRole.AGENT, content, null, null, agent);
        }

        public static NewMessage system(String content, String author) {
            return new NewMessage(MessageRole.SYSTEM, content, null, null, author);
        }
    }

    /** Another model turn on this conversation has not finished yet. */
    public static class TurnInProgressException extends ConflictException {
        TurnInProgressException(ConversationId id) {
            super("turn-in-progress", "Turn in progress",
                    "Conversation " + id + " is answering another message; send this one when that turn completes");
        }
    }
}
