package io.colloquy.chat;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.springframework.beans.factory.DisposableBean;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;
import io.colloquy.tenant.WebhookAddresses;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells a tenant's webhook that an async turn finished. Deliveries are at least once (a receiver
 * should de-duplicate by {@code jobId}), retried with exponential back-off, and signed:
 * {@code X-Colloquy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the tenant's
 * webhook secret>}, so a receiver can check both origin and freshness. Runs where the async workers run
 * ({@code colloquy.jobs.workers-enabled}).
 * <p>
 * Every delivery resolves the receiver's host again and connects only to addresses that
 * {@link WebhookAddresses} accepts (the client's DNS hook is the check), so a name that now points at a
 * private or loopback address is refused, not called; a refused delivery is settled as failed at once.
 * Connections are not kept between deliveries, so each one is checked. Redirects are not followed.
 */
@Component
class WebhookDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final AsyncJobs jobs;
    private final AsyncTurns turns;
    private final Tenants tenants;
    private final JobProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final CloseableHttpClient http;
    private final Map<TenantId, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();

    WebhookDispatcher(AsyncJobs jobs, AsyncTurns turns, Tenants tenants, JobProperties properties, JsonMapper json,
                      Clock clock, PlatformTransactionManager transactions, WebhookAddresses addresses) {
        this.jobs = jobs;
        this.turns = turns;
        this.tenants = tenants;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
        Timeout timeout = Timeout.of(properties.webhookTimeout());
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new org.apache.hc.client5.http.SystemDefaultDnsResolver() {
                            @Override
                            public java.net.InetAddress[] resolve(String host) throws java.net.UnknownHostException {
                                return addresses.resolveForDelivery(host);
                            }
                        })
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .setMaxConnTotal(10_000).setMaxConnPerRoute(10_000)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(timeout).setResponseTimeout(timeout).build())
                // a fresh, checked connection for every delivery
                .setConnectionReuseStrategy((request, response, context) -> false)
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableAuthCaching().disableContentCompression()
                .build();
    }

    @Override
    public void destroy() throws java.io.IOException {
        http.close();
    }

    /**
     * Starts the due deliveries, each on a virtual thread of its own, at most
     * {@code colloquy.jobs.webhook-concurrency-per-tenant} in flight per tenant on this instance: a tenant
     * whose receiver hangs holds only its own slots, and every other tenant's deliveries go on.
     */
    @Scheduled(fixedDelayString = "${colloquy.jobs.webhook-interval:1s}")
    void deliverDue() {
        if (!properties.workersEnabled()) {
            return;
        }
        try {
            // mark the picked deliveries as attempted before calling out, so no transaction stays open during HTTP
            List<AsyncJobs.Job> picked = tx.execute(s -> {
                List<AsyncJobs.Job> batch = new ArrayList<>();
                for (AsyncJobs.Job job : jobs.dueWebhooks(200, properties.webhookConcurrencyPerTenant())) {
                    Semaphore slots = inFlight.computeIfAbsent(job.tenantId(),
                            t -> new Semaphore(properties.webhookConcurrencyPerTenant()));
                    if (slots.tryAcquire()) {
                        // connecting and answering may each take the timeout
                        jobs.webhookAttempted(job, properties.webhookTimeout().multipliedBy(2));
                        batch.add(job);
                    }
                }
                return batch;
            });
            for (AsyncJobs.Job job : picked) {
                deliveries.execute(() -> {
                    try (var log = LogContext.of(job.tenantId(), job.conversationId())) {
                        deliver(job);
                    } catch (RuntimeException e) {
                        log.warn("Webhook delivery for job {} failed: {}", job.id(), e.toString());
                    } finally {
                        inFlight.get(job.tenantId()).release();
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("Webhook delivery round failed: {}", e.toString());
        }
    }

    private void deliver(AsyncJobs.Job job) {
        TenantSettings settings = tenants.settings(job.tenantId());
        boolean delivered = false;
        boolean refused = false;
        java.util.Optional<String> secret = settings.webhookUrl() == null ? java.util.Optional.empty()
                : tenants.webhookSecret(job.tenantId());
        if (settings.webhookUrl() != null && secret.isPresent()) {
            try {
                JobView view = turns.webhookView(job.tenantId(), job.id());
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("event", view.status() == AsyncJobs.Status.DONE ? "turn.completed" : "turn.failed");
                payload.put("jobId", view.id());
                payload.put("conversationId", view.conversationId());
                payload.put("status", view.status());
                payload.put("reply", view.reply());
                payload.put("handoff", view.handoff());
                payload.put("occurredAt", view.updatedAt());
                String body = json.writeValueAsString(payload);
                long timestamp = clock.instant().getEpochSecond();
                HttpPost request = new HttpPost(WebhookAddresses.parse(settings.webhookUrl()));
                request.setHeader("X-Colloquy-Event-Id", view.id().toString());
                request.setHeader("X-Colloquy-Signature", "t=" + timestamp + ",v1=" + sign(secret.get(), timestamp, body));
                request.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
                int status = http.execute(request, response -> {
                    org.apache.hc.core5.http.io.entity.EntityUtils.consume(response.getEntity());
                    return response.getCode();
                });
                delivered = status >= 200 && status < 300;
                if (!delivered) {
                    log.info("Webhook for job {} answered {}", job.id(), status);
                }
            } catch (java.io.IOException | RuntimeException e) {
                WebhookAddresses.RefusedAddressException refusal = refusal(e);
                if (refusal != null) {
                    // the host and address only: never the URL's path or query, which may hold a token
                    refused = true;
                    log.warn("Webhook for job {} refused, not delivered: {}", job.id(), refusal.getMessage());
                } else {
                    log.info("Webhook for job {} failed: {}", job.id(), e.getClass().getSimpleName());
                }
            }
        }
        boolean finalDelivered = delivered;
        // a refused address is not retried: it fails the same way every time until the tenant changes it
        boolean giveUp = !delivered && (refused || jobs.webhookAttempts(job) >= properties.webhookAttempts());
        tx.executeWithoutResult(s -> {
            if (finalDelivered || giveUp) {
                jobs.webhookSettled(job, finalDelivered);
            }
        });
    }

    private static WebhookAddresses.RefusedAddressException refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WebhookAddresses.RefusedAddressException r) {
                return r;
            }
        }
        return null;
    }

    static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is required by every Java platform", e);
        }
    }
}
