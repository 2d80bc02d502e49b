package io.colloquy.events;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.colloquy.shared.ProblemException;
import io.colloquy.shared.TenantId;

/**
 * Opens Server-Sent Event streams, at most {@code colloquy.events.max-streams-per-tenant} per tenant on
 * this instance, and keeps every open stream alive with a heartbeat comment.
 */
@Component
@EnableConfigurationProperties(EventsProperties.class)
public class EventStreams implements DisposableBean {

    private final EventsProperties properties;
    private final Set<EventStream> open = ConcurrentHashMap.newKeySet();
    private final Map<TenantId, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread heartbeats;

    EventStreams(EventsProperties properties, MeterRegistry meters) {
        this.properties = properties;
        Gauge.builder("colloquy.events.streams", open, Set::size)
                .description("Server-Sent Event streams open on this instance").register(meters);
    }

    /** A new stream for a caller of {@code tenantId}; 429 when the tenant already holds its share. */
    public EventStream open(TenantId tenantId) {
        AtomicInteger count = perTenant.computeIfAbsent(tenantId, t -> new AtomicInteger());
        if (count.incrementAndGet() > properties.maxStreamsPerTenant()) {
            count.decrementAndGet();
            throw new TooManyStreamsException(properties.maxStreamsPerTenant());
        }
        SseEmitter emitter = new SseEmitter(properties.streamTimeout().toMillis());
        EventStream stream = new EventStream(tenantId, emitter);
        emitter.onCompletion(stream::closed);
        emitter.onTimeout(stream::closed);
        emitter.onError(e -> stream.closed());
        stream.onClose(() -> {
            open.remove(stream);
            count.decrementAndGet();
        });
        open.add(stream);
        return stream;
    }

    public int openStreams() {
        return open.size();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startHeartbeats() {
        running = true;
        heartbeats = Thread.ofVirtual().name("colloquy-sse-heartbeats").start(() -> {
            while (running) {
                try {
                    Thread.sleep(properties.heartbeat().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                open.forEach(EventStream::heartbeat);
            }
        });
    }

    @Override
    public void destroy() {
        running = false;
        if (heartbeats != null) {
            heartbeats.interrupt();
        }
        open.forEach(EventStream::complete);
    }

    /** The tenant's share of open streams on this instance is taken. */
    static class TooManyStreamsException extends ProblemException {
        TooManyStreamsException(int limit) {
            super(HttpStatus.TOO_MANY_REQUESTS, "too-many-streams", "Too many open streams",
                    "This account already holds " + limit + " open event streams on this server; close one first",
                    Map.of("retryAfterSeconds", 5));
        }
    }

}
