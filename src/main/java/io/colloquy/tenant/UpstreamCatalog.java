package io.colloquy.tenant;

import java.util.Set;

/**
 * The upstreams this deployment knows, so a tenant's route and keys can be checked when they are set.
 * Implemented by the model door (which owns the upstreams' configuration).
 */
public interface UpstreamCatalog {

    Set<String> upstreamNames();
}
