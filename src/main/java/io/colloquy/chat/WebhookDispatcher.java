package io.colloquy.chat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.shared.LogContext;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.TenantSettings;
import io.colloquy.tenant.Tenants;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells a tenant's webhook that an async turn finished. Deliveries are at least once (a receiver
 * should de-duplicate by {@code jobId}), retried with exponential back-off, and signed:
 * {@code X-Colloquy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the tenant's
 * webhook secret>}, so a receiver can check both origin and freshness. Runs where the async workers run
 * ({@code colloquy.jobs.workers-enabled}).
 */
@Component
class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final AsyncJobs jobs;
    private final AsyncTurns turns;
    private final Tenants tenants;
    private final JobProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final HttpClient http;
    private final Map<TenantId, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService deliveries = Executors.newVirtualThreadPerTaskExecutor();

    WebhookDispatcher(AsyncJobs jobs, AsyncTurns turns, Tenants tenants, JobProperties properties, JsonMapper json,
                      Clock clock, PlatformTransactionManager transactions) {
        this.jobs = jobs;
        this.turns = turns;
        this.tenants = tenants;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.tx = new TransactionTemplate(transactions);
        this.http = HttpClient.newBuilder().connectTimeout(properties.webhookTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
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
        if (settings.webhookUrl() != null && settings.webhookSecret() != null) {
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
                HttpRequest request = HttpRequest.newBuilder(URI.create(settings.webhookUrl()))
                        .timeout(properties.webhookTimeout())
                        .header("Content-Type", "application/json")
                        .header("X-Colloquy-Event-Id", view.id().toString())
                        .header("X-Colloquy-Signature", "t=" + timestamp + ",v1=" + sign(settings.webhookSecret(), timestamp, body))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                delivered = status >= 200 && status < 300;
                if (!delivered) {
                    log.info("Webhook for job {} answered {}", job.id(), status);
                }
            } catch (java.io.IOException | RuntimeException e) {
                log.info("Webhook for job {} failed: {}", job.id(), e.getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean finalDelivered = delivered;
        boolean giveUp = !delivered && jobs.webhookAttempts(job) >= properties.webhookAttempts();
        tx.executeWithoutResult(s -> {
            if (finalDelivered || giveUp) {
                jobs.webhookSettled(job, finalDelivered);
            }
        });
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
