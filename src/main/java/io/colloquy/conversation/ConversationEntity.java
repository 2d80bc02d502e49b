package io.colloquy.conversation;

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

/**
 * A conversation as created and as read for its view. Keyed by tenant and id together, like every
 * tenant-owned row (the schema distributes by tenant). Its counters and turn columns are changed only under
 * the row lock, through {@link LockedConversation}.
 */
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

    ConversationView view() {
        // metadata may hold JSON nulls, which Map.copyOf refuses
        return new ConversationView(ConversationId.of(id), TenantId.of(tenantId), status, externalUserRef,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)), lastSeq, createdAt,
                updatedAt);
    }
}
