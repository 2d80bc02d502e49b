package io.colloquy.tenant;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "tenants")
class Tenant {

    @Id
    private UUID id;
    private String name;
    private int contextTokenBudget;
    private BigDecimal confidenceThreshold;
    private String model;
    private BigDecimal monthlyBudgetUsd;
    private BigDecimal softBudgetRatio;
    @Enumerated(EnumType.STRING)
    private HardLimitAction hardLimitAction;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<String> policyTopics = new ArrayList<>();
    @JdbcTypeCode(SqlTypes.JSON)
    private List<String> sensitivePatterns = new ArrayList<>();
    private int lowConfidenceStreak;
    private String webhookUrl;
    /** Sealed by {@link io.colloquy.shared.SecretBox}; a value stored before sealing is in clear until sealed again. */
    private String webhookSecret;
    @JdbcTypeCode(SqlTypes.JSON)
    private List<RouteEntry> route = new ArrayList<>();
    /** Upstream name to the tenant's own key, sealed by {@link io.colloquy.shared.SecretBox}. */
    @JdbcTypeCode(SqlTypes.JSON)
    private java.util.Map<String, String> upstreamKeys = new java.util.LinkedHashMap<>();
    private Integer requestsPerSecond;
    private Integer requestBurst;
    private Integer keyRequestsPerSecond;
    private Integer keyRequestBurst;
    private boolean maskCardNumbers;
    private boolean redactBeforeModel;
    private Integer retentionDays;
    @Column(updatable = false)
    private Instant createdAt;
    private Instant updatedAt;

    protected Tenant() {
    }

    Tenant(UUID id, String name, TenantSettings settings, Instant now) {
        this.id = id;
        this.name = name;
        this.createdAt = now;
        apply(settings, now);
    }

    void apply(TenantSettings s, Instant now) {
        this.contextTokenBudget = s.contextTokenBudget();
        this.confidenceThreshold = s.confidenceThreshold();
        this.model = s.model();
        this.monthlyBudgetUsd = s.monthlyBudgetUsd();
        this.softBudgetRatio = s.softBudgetRatio();
        this.hardLimitAction = s.hardLimitAction();
        this.policyTopics = new ArrayList<>(s.policyTopics());
        this.sensitivePatterns = new ArrayList<>(s.sensitivePatterns());
        this.lowConfidenceStreak = s.lowConfidenceStreak();
        this.webhookUrl = s.webhookUrl();
        this.route = new ArrayList<>(s.route());
        this.requestsPerSecond = s.requestsPerSecond();
        this.requestBurst = s.requestBurst();
        this.keyRequestsPerSecond = s.keyRequestsPerSecond();
        this.keyRequestBurst = s.keyRequestBurst();
        this.maskCardNumbers = s.maskCardNumbers();
        this.redactBeforeModel = s.redactBeforeModel();
        this.retentionDays = s.retentionDays();
        this.updatedAt = now;
    }

    /** Sets ({@code sealed} non-null) or removes the tenant's own key for an upstream. */
    void upstreamKey(String upstream, String sealed, Instant now) {
        if (sealed == null) {
            upstreamKeys.remove(upstream);
        } else {
            upstreamKeys.put(upstream, sealed);
        }
        this.updatedAt = now;
    }

    String sealedUpstreamKey(String upstream) {
        return upstreamKeys.get(upstream);
    }

    java.util.Map<String, String> sealedUpstreamKeys() {
        return java.util.Collections.unmodifiableMap(upstreamKeys);
    }

    /** Sets the webhook secret as stored (sealed), or removes it (null). */
    void storedWebhookSecret(String stored, Instant now) {
        this.webhookSecret = stored;
        this.updatedAt = now;
    }

    String storedWebhookSecret() {
        return webhookSecret;
    }

    void rename(String name, Instant now) {
        this.name = name;
        this.updatedAt = now;
    }

    TenantSettings settings() {
        return new TenantSettings(contextTokenBudget, confidenceThreshold, model, monthlyBudgetUsd,
                softBudgetRatio, hardLimitAction, policyTopics, sensitivePatterns, lowConfidenceStreak,
                webhookUrl, webhookSecret != null, route, upstreamKeys.keySet(), requestsPerSecond, requestBurst,
                keyRequestsPerSecond, keyRequestBurst, maskCardNumbers, redactBeforeModel, retentionDays);
    }

    UUID id() {
        return id;
    }

    String name() {
        return name;
    }

    Instant createdAt() {
        return createdAt;
    }
}
