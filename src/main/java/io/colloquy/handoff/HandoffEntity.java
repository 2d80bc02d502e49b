package io.colloquy.handoff;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.colloquy.shared.ConflictException;

@Entity
@Table(name = "handoffs")
@IdClass(HandoffEntity.Key.class)
class HandoffEntity {

    record Key(UUID tenantId, UUID id) implements java.io.Serializable {
        Key() {
            this(null, null);
        }
    }

    @Id
    private UUID tenantId;
    @Id
    private UUID id;
    private UUID conversationId;
    @Enumerated(EnumType.STRING)
    private HandoffStatus status;
    @Enumerated(EnumType.STRING)
    private HandoffReason reason;
    private String reasonDetail;
    private int priority;
    private Instant createdAt;
    private int throughSeq;
    private String summary;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<HandoffPackage.Fact> facts = new ArrayList<>();
    private String intent;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<String> openQuestions = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    private String lastModelAnswer;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<Double> confidenceHistory = new ArrayList<>();
    private String suggestedNextAction;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<HandoffPackage.Recalled> recalled = new ArrayList<>();
    private String claimedBy;
    private UUID claimedKeyId;
    private Instant claimedAt;
    private Instant leaseUntil;
    private int claims;
    private Instant resolvedAt;
    private String resolution;
    private String resolutionNote;
    @Version
    private long version;

    protected HandoffEntity() {
    }

    HandoffEntity(UUID id, UUID tenantId, UUID conversationId, Trigger trigger, Instant now, int throughSeq,
                  String summary, List<HandoffPackage.Fact> facts, String intent, List<String> openQuestions,
                  String lastModelAnswer, List<Double> confidenceHistory, String suggestedNextAction,
                  List<HandoffPackage.Recalled> recalled) {
        this.id = id;
        this.tenantId = tenantId;
        this.conversationId = conversationId;
        this.status = HandoffStatus.PENDING;
        this.reason = trigger.reason();
        this.reasonDetail = trigger.detail();
        this.priority = trigger.reason().priority();
        this.createdAt = now;
        this.throughSeq = throughSeq;
        this.summary = summary;
        this.facts = new ArrayList<>(facts);
        this.intent = intent;
        this.openQuestions = new ArrayList<>(openQuestions);
        this.lastModelAnswer = lastModelAnswer;
        this.confidenceHistory = new ArrayList<>(confidenceHistory);
        this.suggestedNextAction = suggestedNextAction;
        this.recalled = new ArrayList<>(recalled);
    }

    void claim(String agent, UUID keyId, Instant now, Duration lease) {
        if (status != HandoffStatus.PENDING) {
            throw new ConflictException("handoff-already-claimed", "Handoff already claimed",
                    "Handoff " + id + " is " + status + (claimedBy != null ? " by " + claimedBy : ""));
        }
        status = HandoffStatus.CLAIMED;
        claimedBy = agent;
        claimedKeyId = keyId;
        claimedAt = now;
        leaseUntil = now.plus(lease);
        claims++;
    }

    /** The agent acted: the claim's lease starts again. */
    void touch(UUID keyId, Instant now, Duration lease) {
        requireClaimedBy(keyId);
        leaseUntil = now.plus(lease);
    }

    void release(UUID keyId) {
        requireClaimedBy(keyId);
        backToQueue();
    }

    void expire() {
        backToQueue();
    }

    void resolve(UUID keyId, String resolution, String note, Instant now) {
        requireClaimedBy(keyId);
        status = HandoffStatus.RESOLVED;
        resolvedAt = now;
        this.resolution = resolution;
        this.resolutionNote = note;
        leaseUntil = null;
    }

    private void backToQueue() {
        status = HandoffStatus.PENDING;
        claimedBy = null;
        claimedKeyId = null;
        claimedAt = null;
        leaseUntil = null;
    }

    private void requireClaimedBy(UUID keyId) {
        if (status != HandoffStatus.CLAIMED || !keyId.equals(claimedKeyId)) {
            throw new ConflictException("handoff-not-claimed-by-caller", "Handoff not claimed by you",
                    "Handoff " + id + " is " + status + "; claim it before acting on it");
        }
    }

    UUID id() { return id; }
    UUID tenantId() { return tenantId; }
    UUID conversationId() { return conversationId; }
    HandoffStatus status() { return status; }
    HandoffReason reason() { return reason; }
    String reasonDetail() { return reasonDetail; }
    int priority() { return priority; }
    Instant createdAt() { return createdAt; }
    int throughSeq() { return throughSeq; }
    String summary() { return summary; }
    List<HandoffPackage.Fact> facts() { return List.copyOf(facts); }
    String intent() { return intent; }
    List<String> openQuestions() { return List.copyOf(openQuestions); }
    String lastModelAnswer() { return lastModelAnswer; }
    /** Unknown confidences (unparsed answers) stay in the history as nulls. */
    List<Double> confidenceHistory() { return java.util.Collections.unmodifiableList(confidenceHistory); }
    String suggestedNextAction() { return suggestedNextAction; }
    List<HandoffPackage.Recalled> recalled() { return recalled == null ? List.of() : List.copyOf(recalled); }
    String claimedBy() { return claimedBy; }
    UUID claimedKeyId() { return claimedKeyId; }
    Instant claimedAt() { return claimedAt; }
    Instant leaseUntil() { return leaseUntil; }
    Instant resolvedAt() { return resolvedAt; }
    String resolution() { return resolution; }
    String resolutionNote() { return resolutionNote; }
}
