package io.colloquy.llm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.colloquy.tenant.RouteEntry;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.UpstreamCatalog;

/**
 * The upstreams this deployment talks to and the routes through them. An upstream is an
 * OpenAI-compatible endpoint (or the simulated model) with its own key, timeouts and models; a route is
 * the ordered list of (upstream, model) a tenant's calls try: the tenant's own, else the deployment's
 * (with the tenant's {@code model}, when set, in place of its first model). With no upstream configured,
 * the deployment has one: {@code openai} from {@code spring.ai.openai.*}, or {@code simulated}.
 */
final class Upstreams implements UpstreamCatalog {

    /** One configured upstream: its name, the provider name its calls are priced under, and how to reach it. */
    record Upstream(String name, String provider, Set<String> models, ModelBackend backend,
                    OpenAiBackend.Endpoint endpoint) {
    }

    private final Map<String, Upstream> byName;
    private final List<RouteEntry> defaultRoute;
    private final double temperature;
    private final boolean jsonMode;
    /** Backends for tenants that brought their own key, per upstream and key (each holds a connection pool). */
    private final Map<String, ModelBackend> tenantBackends = new ConcurrentHashMap<>();

    Upstreams(Map<String, Upstream> byName, List<RouteEntry> defaultRoute, double temperature, boolean jsonMode) {
        if (byName.isEmpty() || defaultRoute.isEmpty()) {
            throw new IllegalStateException("colloquy.llm needs at least one upstream and a route");
        }
        for (RouteEntry e : defaultRoute) {
            if (!byName.containsKey(e.upstream())) {
                throw new IllegalStateException("colloquy.llm.route names the unknown upstream '" + e.upstream() + "'");
            }
        }
        this.byName = new LinkedHashMap<>(byName);
        this.defaultRoute = List.copyOf(defaultRoute);
        this.temperature = temperature;
        this.jsonMode = jsonMode;
    }

    @Override
    public Set<String> upstreamNames() {
        return byName.keySet();
    }

    Upstream upstream(String name) {
        Upstream u = byName.get(name);
        if (u == null) {
            throw new IllegalArgumentException("unknown upstream " + name);
        }
        return u;
    }

    /** The (upstream, model) entries a tenant's calls try, in order. */
    List<RouteEntry> routeFor(TenantSettings settings) {
        if (!settings.route().isEmpty()) {
            // an upstream removed from the configuration since the tenant chose it is skipped
            List<RouteEntry> known = settings.route().stream().filter(e -> byName.containsKey(e.upstream())).toList();
            if (!known.isEmpty()) {
                return known;
            }
        }
        if (settings.model() != null && !settings.model().isBlank()) {
            List<RouteEntry> route = new ArrayList<>(defaultRoute);
            route.set(0, new RouteEntry(defaultRoute.getFirst().upstream(), settings.model()));
            return route;
        }
        return defaultRoute;
    }

    List<RouteEntry> defaultRoute() {
        return defaultRoute;
    }

    /** The same upstreams with each backend wrapped (the tests record what the model receives this way). */
    Upstreams withBackends(java.util.function.UnaryOperator<ModelBackend> wrap) {
        Map<String, Upstream> wrapped = new LinkedHashMap<>();
        byName.forEach((name, u) -> wrapped.put(name,
                new Upstream(u.name(), u.provider(), u.models(), wrap.apply(u.backend()), u.endpoint())));
        return new Upstreams(wrapped, defaultRoute, temperature, jsonMode);
    }

    /**
     * The backend a call to {@code upstream} goes through: the deployment's, or one with the tenant's own
     * key. The key is part of the cache key only as a hash, never logged.
     */
    ModelBackend backendFor(Upstream upstream, String tenantKey) {
        if (tenantKey == null || upstream.endpoint() == null) {
            return upstream.backend();
        }
        String id = upstream.name() + "/" + Integer.toHexString(tenantKey.hashCode()) + "/" + tenantKey.length();
        return tenantBackends.computeIfAbsent(id, k -> new OpenAiBackend(
                upstream.endpoint().withApiKey(tenantKey), temperature, jsonMode));
    }
}
