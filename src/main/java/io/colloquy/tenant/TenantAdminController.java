package io.colloquy.tenant;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.UsdAmount;

/** The platform admin's API: tenants, their settings and API keys. */
@Tag(name = "Tenants and keys", description = "The platform admin's API: tenants, their settings and API keys")
@RestController
@RequestMapping("/api/v1")
@RequiresRole(value = Role.ADMIN, platform = true)
class TenantAdminController {

    private final Tenants tenants;
    private final ApiKeys apiKeys;

    TenantAdminController(Tenants tenants, ApiKeys apiKeys) {
        this.tenants = tenants;
        this.apiKeys = apiKeys;
    }

    record CreateTenant(@NotBlank @Size(max = 200) String name, @Valid SettingsChange settings) {
    }

    record UpdateTenant(@Size(max = 200) String name, @Valid SettingsChange settings) {
    }

    /** {@code expiresAt}: optional, an ISO-8601 instant in the future; past it the key answers 401. */
    record CreateKey(@NotEmpty Set<@jakarta.validation.constraints.NotNull Role> roles, @Size(max = 200) String label,
                     Instant expiresAt) {
    }

    /**
     * The settings as clients see them: the webhook secret and the tenant's own upstream keys are never
     * returned, only whether they are set.
     */
    record SettingsBody(int contextTokenBudget, BigDecimal confidenceThreshold, String model,
                        @UsdAmount BigDecimal monthlyBudgetUsd, BigDecimal softBudgetRatio, HardLimitAction hardLimitAction,
                        List<String> policyTopics, List<String> sensitivePatterns, int lowConfidenceStreak,
                        String webhookUrl, boolean webhookSecretSet, List<RouteEntry> route,
                        java.util.SortedSet<String> ownUpstreamKeys, Integer requestsPerSecond, Integer requestBurst,
                        Integer keyRequestsPerSecond, Integer keyRequestBurst) {
        static SettingsBody of(TenantSettings s) {
            return new SettingsBody(s.contextTokenBudget(), s.confidenceThreshold(), s.model(), s.monthlyBudgetUsd(),
                    s.softBudgetRatio(), s.hardLimitAction(), s.policyTopics(), s.sensitivePatterns(),
                    s.lowConfidenceStreak(), s.webhookUrl(), s.webhookSecretSet(), s.route(),
                    new java.util.TreeSet<>(s.ownUpstreamKeys()), s.requestsPerSecond(), s.requestBurst(),
                    s.keyRequestsPerSecond(), s.keyRequestBurst());
        }
    }

    record TenantBody(UUID id, String name, SettingsBody settings, Instant createdAt) {
        static TenantBody of(Tenants.TenantView t) {
            return new TenantBody(t.id(), t.name(), SettingsBody.of(t.settings()), t.createdAt());
        }
    }

    @Operation(summary = "Create a tenant with its settings", responses = @ApiResponse(responseCode = "201",
            description = "The tenant, with every setting (defaults for those not given)"))
    @PostMapping("/tenants")
    ResponseEntity<TenantBody> create(@Valid @RequestBody CreateTenant body) {
        TenantBody created = TenantBody.of(tenants.create(body.name(), body.settings()));
        return ResponseEntity.created(URI.create("/api/v1/tenants/" + created.id())).body(created);
    }

    @Operation(summary = "List the tenants")
    @GetMapping("/tenants")
    List<TenantBody> list() {
        return tenants.all().stream().map(TenantBody::of).toList();
    }

    @Operation(summary = "Read a tenant and its settings")
    @GetMapping("/tenants/{tenantId}")
    TenantBody get(@PathVariable UUID tenantId) {
        return tenants.find(TenantId.of(tenantId)).map(TenantBody::of)
                .orElseThrow(() -> new NotFoundException("Tenant", tenantId));
    }

    @Operation(summary = "Change a tenant's name or settings",
            description = "Only the settings named change; the others keep their values.")
    @PatchMapping("/tenants/{tenantId}")
    TenantBody update(@PathVariable UUID tenantId, @Valid @RequestBody UpdateTenant body) {
        return TenantBody.of(tenants.update(TenantId.of(tenantId), body.name(), body.settings()));
    }

    @Operation(summary = "Issue an API key for a tenant",
            description = "The key is in this response only; it is stored as a hash. An optional `expiresAt` "
                    + "(ISO-8601 instant, in the future) ends it; past it the key answers 401.")
    @PostMapping("/tenants/{tenantId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeys.IssuedKey createTenantKey(@PathVariable UUID tenantId, @Valid @RequestBody CreateKey body) {
        return apiKeys.issueForTenant(TenantId.of(tenantId), body.roles(), body.label(), body.expiresAt());
    }

    @Operation(summary = "List a tenant's keys (never the keys themselves)")
    @GetMapping("/tenants/{tenantId}/api-keys")
    List<ApiKeys.KeyView> tenantKeys(@PathVariable UUID tenantId) {
        if (tenants.find(TenantId.of(tenantId)).isEmpty()) {
            throw new NotFoundException("Tenant", tenantId);
        }
        return apiKeys.list(TenantId.of(tenantId));
    }

    @Operation(summary = "Issue a platform key",
            description = "A platform FINANCE key sees every tenant. The key is in this response only.")
    @PostMapping("/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeys.IssuedKey createPlatformKey(@Valid @RequestBody CreateKey body) {
        return apiKeys.issueForPlatform(body.roles(), body.label(), body.expiresAt());
    }

    @Operation(summary = "List the platform keys")
    @GetMapping("/api-keys")
    List<ApiKeys.KeyView> platformKeys() {
        return apiKeys.list(null);
    }

    @Operation(summary = "Revoke a key",
            description = "This instance refuses it as soon as the revocation is committed; the others within "
                    + "about a second (told over PostgreSQL NOTIFY), at the latest after `colloquy.tenant.cache-for`.",
            responses = @ApiResponse(responseCode = "204", description = "Revoked"))
    @DeleteMapping("/api-keys/{keyId}")
    ResponseEntity<Void> revoke(@PathVariable UUID keyId) {
        apiKeys.revoke(keyId);
        return ResponseEntity.noContent().build();
    }
}
