package io.colloquy.tenant;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;

import org.springframework.stereotype.Component;

/**
 * Per-tenant and per-key request rates with Bucket4j's token buckets kept in PostgreSQL, so every
 * instance draws from the same buckets. Each instance spends a small share of a bucket locally before
 * it settles with the shared row (Bucket4j's delaying optimization): the row is not written on every
 * request, and the limit is overshot by at most that share per instance.
 */
@Component
class RateLimits {

    private record Held(long version, BucketProxy bucket) {
    }

    private final ProxyManager<String> buckets;
    private final TenantProperties.RateLimit defaults;
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    RateLimits(DataSource dataSource, TenantProperties properties) {
        this.defaults = properties.rateLimit();
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
                .build();
    }

    /**
     * Takes one request from the caller's buckets: its tenant's and its key's. Empty when allowed, else
     * how long until a request would be.
     */
    Optional<Duration> take(TenantPrincipal caller, TenantSettings settings) {
        if (!defaults.enabled() || ApiKeys.CONFIGURED_ADMIN_KEY_ID.equals(caller.keyId())) {
            return Optional.empty();
        }
        if (caller.tenantId() != null) {
            int perSecond = settings != null && settings.requestsPerSecond() != null
                    ? settings.requestsPerSecond() : defaults.tenantPerSecond();
            int burst = settings != null && settings.requestBurst() != null ? settings.requestBurst() : defaults.tenantBurst();
            Optional<Duration> wait = take("t:" + caller.tenantId().value(), perSecond, burst);
            if (wait.isPresent()) {
                return wait;
            }
        }
        int perSecond = settings != null && settings.keyRequestsPerSecond() != null
                ? settings.keyRequestsPerSecond() : defaults.keyPerSecond();
        int burst = settings != null && settings.keyRequestBurst() != null ? settings.keyRequestBurst() : defaults.keyBurst();
        return take("k:" + caller.keyId(), perSecond, burst);
    }

    private Optional<Duration> take(String key, int perSecond, int burst) {
        long version = (long) perSecond << 32 | burst;
        Held h = held.compute(key, (k, current) -> current != null && current.version() == version ? current
                : new Held(version, bucket(k, perSecond, burst, version)));
        ConsumptionProbe probe = h.bucket().tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(probe.getNanosToWaitForRefill(), 1_000_000)));
    }

    private BucketProxy bucket(String key, int perSecond, int burst, long version) {
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .build();
        long localTokens = Math.max(1, (long) (burst * defaults.localShare()));
        return buckets.builder()
                .withOptimization(Optimizations.delaying(new DelayParameters(localTokens, defaults.settleEvery())))
                // a changed limit replaces the stored one; tokens already spent stay spent
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.PROPORTIONALLY)
                .build(key, () -> config);
    }
}
