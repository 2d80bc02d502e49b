package io.colloquy.privacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Service;

import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;

/**
 * The privacy policy every surface applies. Readers other than the customer's own widget (agents, the
 * console, memory views, handoff packages, agent event streams, webhooks) read through {@link #masker};
 * text is stored through {@link #redact}, which with the tenant's {@code redactBeforeModel} replaces card
 * numbers and the tenant's patterns before anything keeps or sends it.
 */
@Service
@EnableConfigurationProperties(PrivacyProperties.class)
public class Privacy {

    private final Tenants tenants;
    private final PrivacyProperties properties;
    /** Compiled policies by tenant, rebuilt when the tenant's settings change. */
    private final Map<TenantId, Masker> maskers = new ConcurrentHashMap<>();

    Privacy(Tenants tenants, PrivacyProperties properties) {
        this.tenants = tenants;
        this.properties = properties;
    }

    /** How a reader other than the customer's widget sees the tenant's text. */
    public Masker masker(TenantId tenantId) {
        TenantSettings settings = tenants.settings(tenantId);
        Masker cached = maskers.get(tenantId);
        if (cached != null && cached.compiledFrom(settings.maskCardNumbers(), settings.sensitivePatterns())) {
            return cached;
        }
        Masker compiled = compile(tenantId, settings);
        maskers.put(tenantId, compiled);
        return compiled;
    }

    /** The masker for a reader: the customer's own widget reads the conversation as written. */
    public Masker maskerFor(TenantId tenantId, boolean customersOwnWidget) {
        return customersOwnWidget ? Masker.NONE : masker(tenantId);
    }

    /**
     * Text as it may be stored, and so reach the model, the memory, the summaries and the recall index:
     * unchanged unless the tenant redacts before the model.
     */
    public String redact(TenantId tenantId, String text) {
        if (text == null || !tenants.settings(tenantId).redactBeforeModel()) {
            return text;
        }
        return masker(tenantId).mask(text);
    }

    private Masker compile(TenantId tenantId, TenantSettings settings) {
        List<Pattern> patterns = new ArrayList<>();
        for (String source : settings.sensitivePatterns()) {
            try {
                patterns.add(Pattern.compile(source));
            } catch (PatternSyntaxException ignored) {
                // checked when the tenant saved it; a pattern that no longer compiles is skipped
            }
        }
        return new Masker(tenantId, settings.maskCardNumbers(), settings.sensitivePatterns(), patterns,
                properties.patternTimeLimit());
    }
}
