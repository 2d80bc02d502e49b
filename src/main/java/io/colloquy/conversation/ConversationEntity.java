package io.colloquy.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;

/** Keyed by tenant and id together, like every tenant-owned row (the schema distributes by tenant). */
@Entity
@Table(name = "conversations")
@IdClass(ConversationEntity.Key.class)
class ConversationEntity {

    record Key(UUID tenantId, UUID id) implements java.io.Serializable {
        Key() {
            this(null, null);
        }
    }

    @Id
    private UUID tenantId;
    @Id
    private UUID id;
    @Enumerated(EnumType.STRING)
    private ConversationStatus status;
    private String externalUserRef;
    @JdbcTypeCode(SqlTypes.JSON)
    private Map<String, Object> metadata = new HashMap<>();
    private int lastSeq;
    private long lastEventSeq;
    private UUID turnToken;
    private Instant turnStartedAt;
    private Instant turnLeaseUntil;
    private Integer turnCustomerSeq;
    @Column(updatable = false)
    private Instant createdAt;
    private Instant updatedAt;
    @Version
    private long version;

    protected ConversationEntity() {
    }

    ConversationEntity(UUID id, UUID tenantId, String externalUserRef, Map<String, Object> metadata, Instant now) {
        this.id = id;
        this.tenantId = tenantId;
        this.status = ConversationStatus.BOT;
        this.externalUserRef = externalUserRef;
        this.metadata = metadata == null ? new HashMap<>() : new HashMap<>(metadata);
        this.createdAt = now;
        this.updatedAt = now;
    }

    int nextSeq(Instant now) {
        lastSeq++;
        updatedAt = now;
        return lastSeq;
    }

    long nextEventSeq() {
        return ++lastEventSeq;
    }

    void moveTo(ConversationStatus target, Instant now) {
        if (!status.canMoveTo(target)) {
            throw new IllegalTransitionException(status, target);
        }
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
            turnToken = null;
            turnStartedAt = null;
            turnLeaseUntil = null;
            turnCustomerSeq = null;
            return true;
        }
        return false;
    }

    ConversationStatus status() {
        return status;
    }

    UUID tenantId() {
        return tenantId;
    }

    ConversationView view() {
        // metadata may hold JSON nulls, which Map.copyOf refuses
        return new ConversationView(ConversationId.of(id), TenantId.of(tenantId), status, externalUserRef,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)), lastSeq, createdAt,
                updatedAt);
    }
}
