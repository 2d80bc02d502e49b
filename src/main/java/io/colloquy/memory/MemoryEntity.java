package io.colloquy.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The memory row of one conversation; {@code version} guards against two writers at once. */
@Entity
@Table(name = "conversation_memory")
@IdClass(MemoryEntity.Key.class)
class MemoryEntity {

    record Key(UUID tenantId, UUID conversationId) implements java.io.Serializable {
        Key() {
            this(null, null);
        }
    }

    @Id
    private UUID tenantId;
    @Id
    private UUID conversationId;
    private String summary = "";
    private int summaryTokens;
    private int coveredThroughSeq;
    private String intent;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<String> openQuestions = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    private List<PinnedFact> facts = new ArrayList<>();
    private int lastPromptTokens;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<MemoryView.Recalled> lastRecall = new ArrayList<>();
    private int compactions;
    private int extractiveCompactions;
    private Instant updatedAt;
    @Version
    private long version;

    protected MemoryEntity() {
    }

    MemoryEntity(UUID conversationId, UUID tenantId, Instant now) {
        this.conversationId = conversationId;
        this.tenantId = tenantId;
        this.updatedAt = now;
    }

    static MemoryEntity empty(UUID conversationId, UUID tenantId) {
        return new MemoryEntity(conversationId, tenantId, Instant.EPOCH);
    }

    MemoryState state() {
        return new MemoryState(summary, summaryTokens, coveredThroughSeq, intent, List.copyOf(openQuestions),
                List.copyOf(facts), lastPromptTokens, compactions, extractiveCompactions, version, updatedAt,
                List.copyOf(lastRecall));
    }

    void apply(MemoryState s, Instant now) {
        this.summary = s.summary();
        this.summaryTokens = s.summaryTokens();
        this.coveredThroughSeq = s.coveredThroughSeq();
        this.intent = s.intent();
        this.openQuestions = new ArrayList<>(s.openQuestions());
        this.facts = new ArrayList<>(s.facts());
        this.lastPromptTokens = s.lastPromptTokens();
        this.lastRecall = new ArrayList<>(s.lastRecall());
        this.compactions = s.compactions();
        this.extractiveCompactions = s.extractiveCompactions();
        this.updatedAt = now;
    }
}
