package io.colloquy.conversation;

import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The transcript is append-only: Hibernate never issues an UPDATE for these rows. */
@Entity
@Immutable
@Table(name = "messages")
@IdClass(MessageEntity.Key.class)
class MessageEntity {

    record Key(UUID tenantId, UUID conversationId, int seq) implements Serializable {
        Key() {
            this(null, null, 0);
        }
    }

    @Id
    private UUID tenantId;
    @Id
    private UUID conversationId;
    @Id
    private int seq;
    @Enumerated(EnumType.STRING)
    private MessageRole role;
    private String content;
    private Integer inReplyTo;
    @JdbcTypeCode(SqlTypes.JSON)
    private String modelAnswer;
    private String author;
    private Instant createdAt;

    protected MessageEntity() {
    }

    MessageEntity(UUID conversationId, int seq, UUID tenantId, MessageRole role, String content, Integer inReplyTo,
                  String modelAnswer, String author, Instant createdAt) {
        this.conversationId = conversationId;
        this.seq = seq;
        this.tenantId = tenantId;
        this.role = role;
        this.content = content;
        this.inReplyTo = inReplyTo;
        this.modelAnswer = modelAnswer;
        this.author = author;
        this.createdAt = createdAt;
    }

    Message view() {
        return new Message(seq, role, content, createdAt, inReplyTo, author, modelAnswer);
    }
}
