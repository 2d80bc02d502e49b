package io.colloquy.tenant;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "api_keys")
class ApiKey {

    @Id
    private UUID id;
    private UUID tenantId;
    private byte[] keyHash;
    private String keyPrefix;
    @JdbcTypeCode(SqlTypes.ARRAY)
    private String[] roles;
    private String label;
    private Instant createdAt;
    private Instant revokedAt;
    private Instant expiresAt;

    protected ApiKey() {
    }

    ApiKey(UUID id, UUID tenantId, byte[] keyHash, String keyPrefix, Set<Role> roles, String label, Instant now,
           Instant expiresAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.keyHash = keyHash;
        this.keyPrefix = keyPrefix;
        this.roles = roles.stream().map(Enum::name).sorted().toArray(String[]::new);
        this.label = label;
        this.createdAt = now;
        this.expiresAt = expiresAt;
    }

    /** When the key stops working, or null for never. */
    Instant expiresAt() {
        return expiresAt;
    }

    UUID id() {
        return id;
    }

    UUID tenantId() {
        return tenantId;
    }

    String keyPrefix() {
        return keyPrefix;
    }

    String label() {
        return label;
    }

    Instant createdAt() {
        return createdAt;
    }

    boolean revoked() {
        return revokedAt != null;
    }

    void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }

    Set<Role> roles() {
        Set<Role> set = EnumSet.noneOf(Role.class);
        for (String r : roles) {
            set.add(Role.valueOf(r));
        }
        return set;
    }
}
