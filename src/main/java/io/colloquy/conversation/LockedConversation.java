package io.colloquy.conversation;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A conversation row the current transaction holds the lock on: read once ({@code FOR NO KEY UPDATE}),
 * changed in memory by the transaction's steps (numbering messages and events, status moves, turns), and
 * written back in one UPDATE just before the commit. Plain SQL rather than an entity because it is the hot
 * path of every turn: no entity snapshot, dirty check or all-column update, and one write for all the steps.
 */
final class LockedConversation {

    /** The lock, by tenant and id together, so no caller can lock another tenant's row. */
    static final String SELECT_FOR_UPDATE = """
            SELECT status, external_user_ref, metadata::text AS metadata, last_seq, last_event_seq, turn_token,
                   turn_started_at, turn_lease_until, turn_customer_seq, created_at, updated_at
            FROM conversations WHERE tenant_id = :tenant AND id = :id FOR NO KEY UPDATE""";

    private static final TypeReference<Map<String, Object>> METADATA = new TypeReference<>() {
    };

    private final UUID tenantId;
    private final UUID id;
    private final String externalUserRef;
    private final String metadataJson;
    private final Instant createdAt;
    private ConversationStatus status;
    private int lastSeq;
    private long lastEventSeq;
    private UUID turnToken;
    private Instant turnStartedAt;
    private Instant turnLeaseUntil;
    private Integer turnCustomerSeq;
    private Instant updatedAt;
    private boolean changed;

    private LockedConversation(UUID tenantId, UUID id, ResultSet rs) throws SQLException {
        this.tenantId = tenantId;
        this.id = id;
        this.status = ConversationStatus.valueOf(rs.getString("status"));
        this.externalUserRef = rs.getString("external_user_ref");
        this.metadataJson = rs.getString("metadata");
        this.lastSeq = rs.getInt("last_seq");
        this.lastEventSeq = rs.getLong("last_event_seq");
        this.turnToken = rs.getObject("turn_token", UUID.class);
        this.turnStartedAt = instant(rs.getTimestamp("turn_started_at"));
        this.turnLeaseUntil = instant(rs.getTimestamp("turn_lease_until"));
        int customerSeq = rs.getInt("turn_customer_seq");
        this.turnCustomerSeq = rs.wasNull() ? null : customerSeq;
        this.createdAt = instant(rs.getTimestamp("created_at"));
        this.updatedAt = instant(rs.getTimestamp("updated_at"));
    }

    /** Locks the row (inside the caller's transaction); null when the tenant has no such conversation. */
    static LockedConversation lock(JdbcClient jdbc, TenantId tenantId, ConversationId id) {
        return jdbc.sql(SELECT_FOR_UPDATE).param("tenant", tenantId.value()).param("id", id.value())
                .query((rs, n) -> new LockedConversation(tenantId.value(), id.value(), rs))
                .optional().orElse(null);
    }

    /** Writes the changes back (one statement), if there are any. */
    void writeBack(JdbcClient jdbc) {
        if (!changed) {
            return;
        }
        jdbc.sql("""
                        UPDATE conversations SET status = :status, last_seq = :lastSeq, last_event_seq = :lastEventSeq,
                            turn_token = :turnToken, turn_started_at = :turnStartedAt, turn_lease_until = :turnLeaseUntil,
                            turn_customer_seq = :turnCustomerSeq, updated_at = :updatedAt, version = version + 1
                        WHERE tenant_id = :tenant AND id = :id""")
                .param("status", status.name()).param("lastSeq", lastSeq).param("lastEventSeq", lastEventSeq)
                .param("turnToken", turnToken).param("turnStartedAt", timestamp(turnStartedAt))
                .param("turnLeaseUntil", timestamp(turnLeaseUntil)).param("turnCustomerSeq", turnCustomerSeq)
                .param("updatedAt", timestamp(updatedAt)).param("tenant", tenantId).param("id", id)
                .update();
        changed = false;
    }

    UUID tenantId() {
        return tenantId;
    }

    ConversationStatus status() {
        return status;
    }

    int nextSeq(Instant now) {
        changed = true;
        lastSeq++;
        updatedAt = now;
        return lastSeq;
    }

    long nextEventSeq() {
        changed = true;
        return ++lastEventSeq;
    }

    void moveTo(ConversationStatus target, Instant now) {
        if (!status.canMoveTo(target)) {
            throw new IllegalTransitionException(status, target);
        }
        changed = true;
        status = target;
        updatedAt = now;
    }

    /**
     * One model turn at a time. A turn holds the conversation until {@code lease} from now (the live turn
     * renews it); a token whose lease ran out belonged to a turn that died.
     */
    boolean tryBeginTurn(UUID token, int customerSeq, Instant now, Duration lease) {
        if (turnToken != null && turnLeaseUntil != null && turnLeaseUntil.isAfter(now)) {
            return false;
        }
        changed = true;
        turnToken = token;
        turnStartedAt = now;
        turnLeaseUntil = now.plus(lease);
        turnCustomerSeq = customerSeq;
        return true;
    }

    /** The customer message a dead turn (its lease ran out) was answering, or null. */
    Integer abandonedTurnCustomerSeq(Instant now) {
        boolean abandoned = turnToken != null && turnLeaseUntil != null && !turnLeaseUntil.isAfter(now);
        return abandoned ? turnCustomerSeq : null;
    }

    boolean holdsTurn(UUID token) {
        return token.equals(turnToken);
    }

    boolean endTurn(UUID token) {
        if (token.equals(turnToken)) {
            changed = true;
            turnToken = null;
            turnStartedAt = null;
            turnLeaseUntil = null;
            turnCustomerSeq = null;
            return true;
        }
        return false;
    }

    ConversationView view(JsonMapper json) {
        // metadata may hold JSON nulls, which Map.copyOf refuses
        Map<String, Object> metadata = metadataJson == null ? Map.of() : json.readValue(metadataJson, METADATA);
        return new ConversationView(ConversationId.of(id), TenantId.of(tenantId), status, externalUserRef,
                Collections.unmodifiableMap(new LinkedHashMap<>(metadata)), lastSeq, createdAt, updatedAt);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Timestamp timestamp(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
