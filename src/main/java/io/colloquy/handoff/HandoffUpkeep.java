package io.colloquy.handoff;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Background work of the queue, safe on every instance at once: claims whose lease ran out go back to
 * the queue, and the queue meters (depth and oldest wait per tenant) are refreshed from the database,
 * so every instance reports the same numbers.
 */
@Component
class HandoffUpkeep {

    private static final Logger log = LoggerFactory.getLogger(HandoffUpkeep.class);

    private final Handoffs handoffs;
    private final Clock clock;
    private final MultiGauge depth;
    private final MultiGauge oldestWait;

    HandoffUpkeep(Handoffs handoffs, MeterRegistry meters, Clock clock) {
        this.handoffs = handoffs;
        this.clock = clock;
        this.depth = MultiGauge.builder("colloquy.handoffs.pending").description("Handoffs waiting for an agent")
                .register(meters);
        this.oldestWait = MultiGauge.builder("colloquy.handoffs.oldest.wait").baseUnit("seconds")
                .description("How long the longest-waiting pending handoff has waited").register(meters);
    }

    @Scheduled(fixedDelayString = "${colloquy.handoff.lease-sweep-interval:5s}")
    void expireLeases() {
        try {
            int expired;
            do {
                expired = handoffs.expireLeases(100);
            } while (expired == 100);
        } catch (RuntimeException e) {
            log.warn("Lease sweep failed: {}", e.toString());
        }
    }

    @Scheduled(fixedDelayString = "${colloquy.handoff.meter-refresh-interval:15s}")
    void refreshMeters() {
        try {
            var now = clock.instant();
            List<MultiGauge.Row<?>> depthRows = new ArrayList<>();
            List<MultiGauge.Row<?>> waitRows = new ArrayList<>();
            for (HandoffRepository.QueueStats s : handoffs.queueStats()) {
                Tags tags = Tags.of("tenant", s.getTenantId().toString());
                depthRows.add(MultiGauge.Row.of(tags, s.getPending()));
                waitRows.add(MultiGauge.Row.of(tags, Duration.between(s.getOldest(), now).toSeconds()));
            }
            depth.register(depthRows, true);
            oldestWait.register(waitRows, true);
        } catch (RuntimeException e) {
            log.warn("Queue meter refresh failed: {}", e.toString());
        }
    }
}
