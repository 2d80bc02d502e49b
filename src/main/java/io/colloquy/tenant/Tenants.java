package io.colloquy.tenant;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.PatternSyntaxException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.colloquy.shared.AfterCommit;
import io.colloquy.shared.Ids;
import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.SecretBox;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.TimeLimitedRegex;

/** The tenant directory: the module's public face for every other module. */
@Service
public class Tenants {

    private final TenantRepository repository;
    private final TenantProperties.Defaults defaults;
    private final Clock clock;
    private final SecretBox secrets;
    private final ObjectProvider<UpstreamCatalog> upstreams;
    private final ShortLivedCache<UUID, TenantSettings> settingsCache;
    private final ShortLivedCache<String, Optional<String>> keyCache;
    private final WebhookAddresses webhookAddresses;

    Tenants(TenantRepository repository, TenantProperties properties, Clock clock, SecretBox secrets,
            ObjectProvider<UpstreamCatalog> upstreams, WebhookAddresses webhookAddresses) {
        this.repository = repository;
        this.webhookAddresses = webhookAddresses;
        this.defaults = properties.defaults();
        this.clock = clock;
        this.secrets = secrets;
        this.upstreams = upstreams;
        this.settingsCache = new ShortLivedCache<>(properties.cacheFor(), 100_000);
        this.keyCache = new ShortLivedCache<>(properties.cacheFor(), 10_000);
    }

    /** The tenant's own key for an upstream, opened, if it gave one (cached like the settings). */
    public Optional<String> upstreamKey(TenantId tenantId, String upstream) {
        return keyCache.get(tenantId.value() + "/" + upstream, k -> repository.findById(tenantId.value())
                .map(t -> t.sealedUpstreamKey(upstream))
                .map(secrets::open));
    }

    /**
     * The key that signs the tenant's webhook calls, opened, if it has one (cached like the settings). A value
     * stored before secrets were sealed is read as it is (and sealed again at start, see
     * {@link StoredCredentials}).
     */
    public Optional<String> webhookSecret(TenantId tenantId) {
        return keyCache.get(webhookSecretCacheKey(tenantId.value()), k -> repository.findById(tenantId.value())
                .map(Tenant::storedWebhookSecret)
                .map(stored -> SecretBox.isSealed(stored) ? secrets.open(stored) : stored));
    }

    private static String webhookSecretCacheKey(UUID tenantId) {
        return tenantId + "/#webhook-secret";
    }

    /** A tenant as other modules and the admin API see it. */
    public record TenantView(UUID id, String name, TenantSettings settings, java.time.Instant createdAt) {
        public TenantId tenantId() {
            return TenantId.of(id);
        }
    }

    /** A tenant's settings, read on every turn (cached briefly, see {@link TenantProperties}). */
    public TenantSettings settings(TenantId tenantId) {
        return settingsCache.get(tenantId.value(), id -> repository.findById(id)
                .map(Tenant::settings)
                .orElseThrow(() -> new NotFoundException("Tenant", tenantId)));
    }

    @Transactional(readOnly = true)
    public Optional<TenantView> find(TenantId tenantId) {
        return repository.findById(tenantId.value()).map(Tenants::view);
    }

    @Transactional(readOnly = true)
    public List<TenantView> all() {
        return repository.findAll().stream().map(Tenants::view).toList();
    }

    @Transactional
    public TenantView create(String name, SettingsChange change) {
        SettingsChange c = change == null ? SettingsChange.none() : change;
        TenantSettings settings = merge(defaultSettings(), c);
        Tenant tenant = new Tenant(Ids.newId(), name.strip(), settings, clock.instant());
        applyWebhookSecret(tenant, settings, c);
        applyUpstreamKeys(tenant, c);
        return view(repository.save(tenant));
    }

    /** Seals and stores the tenant's own upstream keys (an empty value removes one). */
    private void applyUpstreamKeys(Tenant tenant, SettingsChange change) {
        if (change.upstreamKeys() == null) {
            return;
        }
        change.upstreamKeys().forEach((upstream, key) -> {
            requireKnownUpstream(upstream, "upstreamKeys");
            tenant.upstreamKey(upstream, key.isBlank() ? null : secrets.seal(key.strip()), clock.instant());
        });
        AfterCommit.run(keyCache::clear);
    }

    /** Seals and stores a new webhook secret; a tenant without a webhook URL keeps no secret. */
    private void applyWebhookSecret(Tenant tenant, TenantSettings settings, SettingsChange change) {
        if (settings.webhookUrl() == null) {
            if (tenant.storedWebhookSecret() != null) {
                tenant.storedWebhookSecret(null, clock.instant());
            }
        } else if (change.webhookSecret() != null) {
            tenant.storedWebhookSecret(secrets.seal(change.webhookSecret()), clock.instant());
        }
        UUID id = tenant.id();
        AfterCommit.run(() -> keyCache.remove(webhookSecretCacheKey(id)));
    }

    private void requireKnownUpstream(String upstream, String field) {
        UpstreamCatalog catalog = upstreams.getIfAvailable();
        if (catalog != null && !catalog.upstreamNames().contains(upstream)) {
            throw new InvalidRequestException(field + ": '" + upstream + "' is not an upstream of this deployment; it has "
                    + new java.util.TreeSet<>(catalog.upstreamNames()));
        }
    }

    @Transactional
    public TenantView update(TenantId tenantId, String name, SettingsChange change) {
        Tenant tenant = repository.lock(tenantId.value())
                .orElseThrow(() -> new NotFoundException("Tenant", tenantId));
        if (change != null) {
            TenantSettings settings = merge(tenant.settings(), change);
            tenant.apply(settings, clock.instant());
            applyWebhookSecret(tenant, settings, change);
            applyUpstreamKeys(tenant, change);
        }
        if (name != null && !name.isBlank()) {
            tenant.rename(name.strip(), clock.instant());
        }
        settingsCache.remove(tenantId.value());
        // and again once committed, so a read between this point and the commit is not kept
        AfterCommit.run(() -> settingsCache.remove(tenantId.value()));
        return view(tenant);
    }

    private TenantSettings defaultSettings() {
        return new TenantSettings(defaults.contextTokenBudget(), defaults.confidenceThreshold(), null, null,
                defaults.softBudgetRatio(), defaults.hardLimitAction(), defaults.policyTopics(), List.of(),
                defaults.lowConfidenceStreak(), null, false, List.of(), java.util.Set.of(), null, null, null, null,
                defaults.maskCardNumbers(), defaults.redactBeforeModel(), null);
    }

    private TenantSettings merge(TenantSettings current, SettingsChange c) {
        if (c.route() != null) {
            c.route().forEach(e -> requireKnownUpstream(e.upstream(), "route"));
        }
        if (c.sensitivePatterns() != null) {
            c.sensitivePatterns().forEach(Tenants::requireUsablePattern);
        }
        String webhookUrl = c.webhookUrl() == null ? current.webhookUrl() : emptyToNull(c.webhookUrl());
        if (c.webhookUrl() != null && webhookUrl != null) {
            try {
                webhookUrl = webhookAddresses.requireAcceptable(webhookUrl).toString();
            } catch (WebhookAddresses.RefusedAddressException e) {
                throw new InvalidRequestException("webhookUrl: " + e.getMessage());
            }
        }
        boolean webhookSecretSet = c.webhookSecret() != null || current.webhookSecretSet();
        if (webhookUrl != null && !webhookSecretSet) {
            throw new InvalidRequestException("webhookSecret is required with webhookUrl: every webhook call is signed");
        }
        BigDecimal budget = current.monthlyBudgetUsd();
        if (c.monthlyBudgetUsd() != null) {
            budget = c.monthlyBudgetUsd().signum() < 0 ? null : c.monthlyBudgetUsd();
        }
        return new TenantSettings(
                c.contextTokenBudget() == null ? current.contextTokenBudget() : c.contextTokenBudget(),
                c.confidenceThreshold() == null ? current.confidenceThreshold() : c.confidenceThreshold(),
                c.model() == null ? current.model() : emptyToNull(c.model().strip()),
                budget,
                c.softBudgetRatio() == null ? current.softBudgetRatio() : c.softBudgetRatio(),
                c.hardLimitAction() == null ? current.hardLimitAction() : c.hardLimitAction(),
                c.policyTopics() == null ? current.policyTopics() : c.policyTopics(),
                c.sensitivePatterns() == null ? current.sensitivePatterns() : c.sensitivePatterns(),
                c.lowConfidenceStreak() == null ? current.lowConfidenceStreak() : c.lowConfidenceStreak(),
                webhookUrl,
                webhookUrl != null && webhookSecretSet,
                c.route() == null ? current.route() : c.route(),
                current.ownUpstreamKeys(),
                override(current.requestsPerSecond(), c.requestsPerSecond()),
                override(current.requestBurst(), c.requestBurst()),
                override(current.keyRequestsPerSecond(), c.keyRequestsPerSecond()),
                override(current.keyRequestBurst(), c.keyRequestBurst()),
                c.maskCardNumbers() == null ? current.maskCardNumbers() : c.maskCardNumbers(),
                c.redactBeforeModel() == null ? current.redactBeforeModel() : c.redactBeforeModel(),
                override(current.retentionDays(), c.retentionDays()));
    }

    /** Texts on which a pattern that backtracks catastrophically never finishes. */
    private static final List<String> PATTERN_PROBES = List.of("a".repeat(5000) + "!", "1".repeat(5000) + "x",
            " ".repeat(5000) + "!", "ab".repeat(2500) + "!", "a1".repeat(2500) + "!", "a-".repeat(2500) + "1");
    private static final java.time.Duration PATTERN_PROBE_LIMIT = java.time.Duration.ofMillis(200);

    /**
     * A sensitive pattern must compile, must not match the empty string (it would mask between every
     * character) and must finish quickly on texts that make a backtracking pattern run for ever; masking
     * also runs each pattern with a time limit, this only turns the obvious cases away when they are saved.
     */
    private static void requireUsablePattern(String source) {
        java.util.regex.Pattern pattern;
        try {
            pattern = java.util.regex.Pattern.compile(source);
        } catch (PatternSyntaxException e) {
            throw new InvalidRequestException("sensitivePatterns: '" + source + "' is not a valid regular expression");
        }
        if (pattern.matcher("").matches()) {
            throw new InvalidRequestException("sensitivePatterns: '" + source + "' matches empty text");
        }
        for (String probe : PATTERN_PROBES) {
            try {
                TimeLimitedRegex.find(pattern, probe, PATTERN_PROBE_LIMIT);
            } catch (TimeLimitedRegex.TimeLimitExceeded e) {
                throw new InvalidRequestException("sensitivePatterns: '" + source + "' backtracks for too long on "
                        + "some texts (nested repetition such as (a+)+); write it without nested quantifiers");
            }
        }
    }

    /** A limit left out keeps its value; 0 returns to the deployment's (null). */
    private static Integer override(Integer current, Integer change) {
        return change == null ? current : change == 0 ? null : change;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static TenantView view(Tenant t) {
        return new TenantView(t.id(), t.name(), t.settings(), t.createdAt());
    }
}
