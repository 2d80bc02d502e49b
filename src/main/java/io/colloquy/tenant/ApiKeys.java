package io.colloquy.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.events.EventHub;
import io.colloquy.events.Notifications;
import io.colloquy.shared.AfterCommit;
import io.colloquy.shared.Ids;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;

/**
 * Issues, resolves and revokes API keys. A key's secret is shown once and stored only as a hash. A key may
 * carry an expiry. Resolved keys are cached per instance for {@code colloquy.tenant.cache-for}; a revocation
 * evicts the key on this instance once it commits and tells the other instances over PostgreSQL
 * {@code NOTIFY} (sent only if the revocation commits), so they evict it within about a second.
 */
@Service
class ApiKeys {

    /** The notification key (see {@link Notifications}) whose payload is the id of a revoked key. */
    static final String REVOKED_NOTIFICATION = "api-key-revoked";

    /** The platform admin from configuration has no row; this fixed id names it in logs. */
    static final UUID CONFIGURED_ADMIN_KEY_ID = new UUID(0, 1);
    private static final String KEY_PREFIX = "cq_";
    private static final Set<Role> PLATFORM_ROLES = EnumSet.of(Role.FINANCE, Role.ADMIN);

    private final ApiKeyRepository repository;
    private final TenantRepository tenants;
    private final Clock clock;
    private final byte[] adminKeyHash;
    private final SecureRandom random = new SecureRandom();
    private final ShortLivedCache<String, Optional<Known>> resolved;
    private final Notifications notifications;

    ApiKeys(ApiKeyRepository repository, TenantRepository tenants, AdminKeyProperties admin,
            TenantProperties properties, Clock clock, Notifications notifications, EventHub hub) {
        this.repository = repository;
        this.resolved = new ShortLivedCache<>(properties.cacheFor(), 100_000);
        this.tenants = tenants;
        this.clock = clock;
        this.notifications = notifications;
        this.adminKeyHash = admin.adminKey() == null || admin.adminKey().isBlank() ? null : hash(admin.adminKey());
        // a revocation on any instance (this one too); null: the listener reconnected and may have missed some
        hub.subscribe(REVOKED_NOTIFICATION, payload -> {
            if (payload == null) {
                resolved.clear();
            } else {
                try {
                    evict(UUID.fromString(payload));
                } catch (IllegalArgumentException e) {
                    resolved.clear();
                }
            }
        });
    }

    /** What a presented key turned out to be. */
    sealed interface Resolution {
        record Valid(TenantPrincipal principal) implements Resolution {
        }

        record Expired(Instant at) implements Resolution {
        }

        record Unknown() implements Resolution {
        }
    }

    /** A known, unrevoked key as cached: who it is and until when. */
    private record Known(TenantPrincipal principal, Instant expiresAt) {
    }

    record IssuedKey(UUID id, String key, Set<Role> roles, UUID tenantId, String label, Instant expiresAt) {
    }

    record KeyView(UUID id, String prefix, Set<Role> roles, UUID tenantId, String label, Instant createdAt,
                   boolean revoked, Instant expiresAt, boolean expired) {
    }

    @Transactional
    IssuedKey issueForTenant(TenantId tenantId, Set<Role> roles, String label, Instant expiresAt) {
        if (!tenants.existsById(tenantId.value())) {
            throw new NotFoundException("Tenant", tenantId);
        }
        return issue(tenantId.value(), roles, label, expiresAt);
    }

    @Transactional
    IssuedKey issueForPlatform(Set<Role> roles, String label, Instant expiresAt) {
        if (roles != null && !PLATFORM_ROLES.containsAll(roles)) {
            throw new InvalidRequestException("A platform key may only hold the roles " + PLATFORM_ROLES);
        }
        return issue(null, roles, label, expiresAt);
    }

    @Transactional(readOnly = true)
    List<KeyView> list(TenantId tenantId) {
        List<ApiKey> keys = tenantId == null ? repository.findByTenantIdIsNullOrderByCreatedAt()
                : repository.findByTenantIdOrderByCreatedAt(tenantId.value());
        Instant now = clock.instant();
        return keys.stream().map(k -> view(k, now)).toList();
    }

    /**
     * Revokes a key. Once the revocation commits, this instance forgets the key at once and the others are
     * told (they forget it when the notification arrives, well within a second).
     */
    @Transactional
    void revoke(UUID keyId) {
        repository.findById(keyId).orElseThrow(() -> new NotFoundException("API key", keyId)).revoke(clock.instant());
        notifications.publish(REVOKED_NOTIFICATION, keyId.toString());
        AfterCommit.run(() -> evict(keyId));
    }

    private void evict(UUID keyId) {
        resolved.removeValues(known -> known.isPresent() && known.get().principal().keyId().equals(keyId));
    }

    /**
     * The caller behind a presented key: valid, expired, or unknown (also when revoked). Answers are kept
     * for {@code colloquy.tenant.cache-for} (default 10 s); a revocation evicts them (see {@link #revoke}), and
     * an expiry is checked against the clock on every call.
     */
    Resolution resolve(String presentedKey) {
        byte[] presentedHash = hash(presentedKey);
        if (adminKeyHash != null && MessageDigest.isEqual(adminKeyHash, presentedHash)) {
            return new Resolution.Valid(new TenantPrincipal(CONFIGURED_ADMIN_KEY_ID, null, EnumSet.of(Role.ADMIN), "platform-admin"));
        }
        Optional<Known> known = resolved.get(HexFormat.of().formatHex(presentedHash), key -> lookUp(presentedHash));
        if (known.isEmpty()) {
            return new Resolution.Unknown();
        }
        Instant expiresAt = known.get().expiresAt();
        if (expiresAt != null && !clock.instant().isBefore(expiresAt)) {
            return new Resolution.Expired(expiresAt);
        }
        return new Resolution.Valid(known.get().principal());
    }

    private Optional<Known> lookUp(byte[] keyHash) {
        return repository.findByKeyHash(keyHash)
                .filter(key -> !key.revoked())
                .map(key -> new Known(new TenantPrincipal(key.id(), key.tenantId() == null ? null : TenantId.of(key.tenantId()),
                        key.roles(), key.label() != null ? key.label() : key.keyPrefix()), key.expiresAt()));
    }

    private IssuedKey issue(UUID tenantId, Set<Role> roles, String label, Instant expiresAt) {
        if (roles == null || roles.isEmpty()) {
            throw new InvalidRequestException("roles must name at least one of " + List.of(Role.values()));
        }
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw new InvalidRequestException("expiresAt must be in the future (it was " + expiresAt + ")");
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ApiKey apiKey = new ApiKey(Ids.newId(), tenantId, hash(key), key.substring(0, 10), roles,
                label == null || label.isBlank() ? null : label.strip(), clock.instant(), expiresAt);
        repository.save(apiKey);
        return new IssuedKey(apiKey.id(), key, roles, tenantId, apiKey.label(), expiresAt);
    }

    private static KeyView view(ApiKey k, Instant now) {
        return new KeyView(k.id(), k.keyPrefix(), k.roles(), k.tenantId(), k.label(), k.createdAt(), k.revoked(),
                k.expiresAt(), k.expiresAt() != null && !now.isBefore(k.expiresAt()));
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
