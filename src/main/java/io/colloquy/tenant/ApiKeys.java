package io.colloquy.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.shared.Ids;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;

/** Issues, resolves and revokes API keys. A key's secret is shown once and stored only as a hash. */
@Service
class ApiKeys {

    /** The platform admin from configuration has no row; this fixed id names it in logs. */
    static final UUID CONFIGURED_ADMIN_KEY_ID = new UUID(0, 1);
    private static final String KEY_PREFIX = "cq_";
    private static final Set<Role> PLATFORM_ROLES = EnumSet.of(Role.FINANCE, Role.ADMIN);

    private final ApiKeyRepository repository;
    private final TenantRepository tenants;
    private final Clock clock;
    private final byte[] adminKeyHash;
    private final SecureRandom random = new SecureRandom();
    private final ShortLivedCache<String, Optional<TenantPrincipal>> resolved;

    ApiKeys(ApiKeyRepository repository, TenantRepository tenants, AdminKeyProperties admin,
            TenantProperties properties, Clock clock) {
        this.repository = repository;
        this.resolved = new ShortLivedCache<>(properties.cacheFor(), 100_000);
        this.tenants = tenants;
        this.clock = clock;
        this.adminKeyHash = admin.adminKey() == null || admin.adminKey().isBlank() ? null : hash(admin.adminKey());
    }

    record IssuedKey(UUID id, String key, Set<Role> roles, UUID tenantId, String label) {
    }

    record KeyView(UUID id, String prefix, Set<Role> roles, UUID tenantId, String label, java.time.Instant createdAt,
                   boolean revoked) {
    }

    @Transactional
    IssuedKey issueForTenant(TenantId tenantId, Set<Role> roles, String label) {
        if (!tenants.existsById(tenantId.value())) {
            throw new NotFoundException("Tenant", tenantId);
        }
        return issue(tenantId.value(), roles, label);
    }

    @Transactional
    IssuedKey issueForPlatform(Set<Role> roles, String label) {
        if (!PLATFORM_ROLES.containsAll(roles)) {
            throw new InvalidRequestException("A platform key may only hold the roles " + PLATFORM_ROLES);
        }
        return issue(null, roles, label);
    }

    @Transactional(readOnly = true)
    List<KeyView> list(TenantId tenantId) {
        List<ApiKey> keys = tenantId == null ? repository.findByTenantIdIsNullOrderByCreatedAt()
                : repository.findByTenantIdOrderByCreatedAt(tenantId.value());
        return keys.stream().map(ApiKeys::view).toList();
    }

    @Transactional
    void revoke(UUID keyId) {
        repository.findById(keyId).orElseThrow(() -> new NotFoundException("API key", keyId)).revoke(clock.instant());
        resolved.clear();
    }

    /**
     * The caller behind a presented key, if the key is known and not revoked. Answers are kept for
     * {@code colloquy.tenant.cache-for} (default 10 s), so a revocation takes at most that long to bite
     * on instances other than the one that revoked it.
     */
    Optional<TenantPrincipal> resolve(String presentedKey) {
        byte[] presentedHash = hash(presentedKey);
        if (adminKeyHash != null && MessageDigest.isEqual(adminKeyHash, presentedHash)) {
            return Optional.of(new TenantPrincipal(CONFIGURED_ADMIN_KEY_ID, null, EnumSet.of(Role.ADMIN), "platform-admin"));
        }
        return resolved.get(HexFormat.of().formatHex(presentedHash), key -> lookUp(presentedHash));
    }

    private Optional<TenantPrincipal> lookUp(byte[] keyHash) {
        return repository.findByKeyHash(keyHash)
                .filter(key -> !key.revoked())
                .map(key -> new TenantPrincipal(key.id(), key.tenantId() == null ? null : TenantId.of(key.tenantId()),
                        key.roles(), key.label() != null ? key.label() : key.keyPrefix()));
    }

    private IssuedKey issue(UUID tenantId, Set<Role> roles, String label) {
        if (roles == null || roles.isEmpty()) {
            throw new InvalidRequestException("roles must name at least one of " + List.of(Role.values()));
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ApiKey apiKey = new ApiKey(Ids.newId(), tenantId, hash(key), key.substring(0, 10), roles,
                label == null || label.isBlank() ? null : label.strip(), clock.instant());
        repository.save(apiKey);
        return new IssuedKey(apiKey.id(), key, roles, tenantId, apiKey.label());
    }

    private static KeyView view(ApiKey k) {
        return new KeyView(k.id(), k.keyPrefix(), k.roles(), k.tenantId(), k.label(), k.createdAt(), k.revoked());
    }

    static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
