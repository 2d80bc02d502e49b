package io.colloquy.tenant;

import java.util.Set;
import java.util.UUID;

import io.colloquy.shared.TenantId;

/**
 * Who is calling: resolved from the API key on every request.
 *
 * @param keyId    the key's id (for platform admin from configuration, a fixed id)
 * @param tenantId the key's tenant, or null for a platform key
 * @param roles    what the key may do
 * @param label    a human-readable name for the key holder (used as the agent's name)
 */
public record TenantPrincipal(UUID keyId, TenantId tenantId, Set<Role> roles, String label) {

    public TenantPrincipal {
        roles = Set.copyOf(roles);
    }

    public boolean isPlatform() {
        return tenantId == null;
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }

    /** The caller's tenant; a platform key on a tenant-scoped endpoint is refused. */
    public TenantId requireTenant() {
        if (tenantId == null) {
            throw new ForbiddenException("This endpoint needs a tenant's key, not a platform key");
        }
        return tenantId;
    }

    /** Whether this caller may see the given tenant's data. */
    public boolean canSee(TenantId tenant) {
        return tenantId == null || tenantId.equals(tenant);
    }
}
