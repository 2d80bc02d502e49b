package io.colloquy.chat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.colloquy.llm.LlmClient;

/**
 * Takes due jobs and runs them on virtual threads, up to {@code colloquy.jobs.concurrency} at once per
 * instance. While the model's circuit is open the worker takes nothing: jobs wait in the queue instead of
 * burning attempts, and start again when the circuit half-opens.
 */
@Component
class JobWorker implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    private final AsyncJobs jobs;
    private final AsyncTurns turns;
    private final TurnObservations observations;
    private final LlmClient llm;
    private final JobProperties properties;
    private final Clock clock;
    private final String name = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong oldestQueuedSeconds = new AtomicLong();
    private volatile boolean running;
    private Thread loop;

    JobWorker(AsyncJobs jobs, AsyncTurns turns, TurnObservations observations, LlmClient llm, JobProperties properties,
              MeterRegistry meters, Clock clock) {
        this.jobs = jobs;
        this.turns = turns;
        this.observations = observations;
        this.llm = llm;
        this.properties = properties;
        this.clock = clock;
        this.slots = new Semaphore(properties.concurrency());
        Gauge.builder("colloquy.jobs.queued", queued, AtomicLong::get).description("Async turns waiting to run")
                .register(meters);
        Gauge.builder("colloquy.jobs.oldest.age", oldestQueuedSeconds, AtomicLong::get).baseUnit("seconds")
                .description("Age of the oldest queued async turn").register(meters);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!properties.workersEnabled()) {
            log.info("Async turn workers are disabled on this instance");
            return;
        }
        running = true;
        loop = Thread.ofVirtual().name("colloquy-jobs-" + name).start(this::poll);
        log.info("Async turn worker {} started ({} at once)", name, properties.concurrency());
    }

    private void poll() {
        long lastStats = 0;
        while (running) {
            try {
                if (System.nanoTime() - lastStats > TimeUnit.SECONDS.toNanos(5)) {
                    refreshStats();
                    lastStats = System.nanoTime();
                }
                if (!llm.anyAvailable()) {
                    Thread.sleep(properties.pollInterval().toMillis());
                    continue;
                }
                // wait for a free slot (a job finishing frees one at once), then take as many jobs as slots are free
                if (!slots.tryAcquire(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int free = 1 + slots.drainPermits();
                List<AsyncJobs.Job> taken;
                try {
                    taken = jobs.take(free, name, properties.lease(), properties.maxRunningPerTenant());
                } finally {
                    slots.release(free);
                }
                for (AsyncJobs.Job job : taken) {
                    slots.acquireUninterruptibly();
                    executor.submit(() -> {
                        try {
                            observations.observeJob(job.id(), job.tenantId(), job.conversationId(),
                                    () -> turns.run(job));
                        } finally {
                            slots.release();
                        }
                    });
                }
                if (taken.isEmpty()) {
                    Thread.sleep(properties.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("Job poll failed: {}", e.toString());
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    private void refreshStats() {
        AsyncJobs.QueueStats stats = jobs.stats();
        queued.set(stats.queued());
        oldestQueuedSeconds.set(stats.oldestQueued() == null ? 0
                : Duration.between(stats.oldestQueued(), clock.instant()).toSeconds());
    }

    private void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops taking jobs; running ones get a moment to finish, the rest are taken again after their lease. */
    @Override
    public void destroy() throws InterruptedException {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}
